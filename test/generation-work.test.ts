import { describe, expect, it } from 'vitest';
import { stepWork, totalWork, type Dims } from '../src/islands/causal/work';

// The guide's decoder: 2 layers of 4 heads, d_model 32, d_k = d_v = 8.
const decoder: Dims = { layers: 2, heads: 4, dModel: 32, dk: 8, dv: 8 };

describe('multiply-adds of a generation step', () => {
  it('with the cache: (t + 1)(d_k + d_v) for attention and d_model (d_k + d_v) for the new key and value, per layer and head', () => {
    expect(stepWork(decoder, 0).cached).toEqual({ attention: 8 * 16, projections: 8 * 32 * 16, total: 8 * 16 * 33 });
    expect(stepWork(decoder, 9).cached).toEqual({ attention: 8 * 10 * 16, projections: 8 * 32 * 16, total: 8 * 16 * 42 });
  });

  it('without it: every one of the t + 1 rows again, so exactly t + 1 times as much', () => {
    for (const t of [0, 1, 5, 63]) {
      const { cached, full } = stepWork(decoder, t);
      expect(full.attention).toBe(8 * (t + 1) ** 2 * 16);
      expect(full.projections).toBe(8 * (t + 1) * 32 * 16);
      expect(full.total).toBe((t + 1) * cached.total);
    }
  });

  it('uses each dimension as the formula does', () => {
    const d: Dims = { layers: 3, heads: 5, dModel: 7, dk: 2, dv: 11 };
    expect(stepWork(d, 4).cached.total).toBe(3 * 5 * (2 + 11) * (5 + 7));
    expect(stepWork(d, 4).full.total).toBe(3 * 5 * (2 + 11) * 5 * (5 + 7));
  });

  it('sums to the closed forms over a generation: quadratic with the cache, cubic without', () => {
    const perHead = 8 * 16;
    for (const t of [0, 3, 63]) {
      const n = t + 1;
      const { cached, full } = totalWork(decoder, t);
      expect(cached.attention).toBe((perHead * n * (n + 1)) / 2);
      expect(cached.projections).toBe(perHead * 32 * n);
      expect(full.attention).toBe((perHead * n * (n + 1) * (2 * n + 1)) / 6);
      expect(full.projections).toBe((perHead * 32 * n * (n + 1)) / 2);
      expect(cached.total).toBe(cached.attention + cached.projections);
    }
  });
});
