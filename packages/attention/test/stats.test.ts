import { describe, expect, it } from 'vitest';
import { createEngine, randn, tensor } from '../src/index';
import { rowStats, spread, weightStats } from '../src/stats';

describe('rowStats', () => {
  it('gives ln m and 1/m for a uniform row, and the Jacobian entry 1/m (1 - 1/m)', () => {
    const s = rowStats([0.25, 0.25, 0.25, 0.25]);
    expect(s.sum).toBeCloseTo(1, 12);
    expect(s.entropy).toBeCloseTo(Math.log(4), 12);
    expect(s.max).toBe(0.25);
    expect(s.jacobianMax).toBeCloseTo(0.1875, 12);
  });

  it('gives 0 entropy and a vanishing Jacobian for a one-hot row', () => {
    const s = rowStats([0, 1, 0]);
    expect(s.entropy).toBe(0);
    expect(s.argmax).toBe(1);
    expect(s.jacobianMax).toBe(0);
  });

  it('matches the Jacobian diag(a) - a aᵀ entry by entry', () => {
    const a = [0.6, 0.3, 0.1];
    let largest = 0;
    for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) largest = Math.max(largest, Math.abs((j === k ? a[j]! : 0) - a[j]! * a[k]!));
    expect(rowStats(a).jacobianMax).toBeCloseTo(largest, 12);
  });

  it('reproduces chapter 2’s table for d_k = 512: about 0.248 scaled and 1.2e-5 unscaled', async () => {
    const engine = await createEngine({ prefer: 'cpu' });
    const raw = tensor([-11.3, 0, 11.3, 22.6], [1, 4]);
    const unscaled = rowStats((await engine.softmax(raw)).data);
    const scaled = rowStats((await engine.softmax(raw, { scale: 1 / Math.sqrt(512) })).data);
    engine.dispose();
    expect(unscaled.jacobianMax).toBeGreaterThan(1.1e-5);
    expect(unscaled.jacobianMax).toBeLessThan(1.3e-5);
    expect(scaled.jacobianMax).toBeCloseTo(0.248, 3);
  });
});

describe('weightStats and spread', () => {
  it('sums every softmax row to 1 and measures the spread of scores as √d_k', async () => {
    const engine = await createEngine({ prefer: 'cpu' });
    const dk = 256;
    const q = randn([64, dk], 1);
    const k = randn([64, dk], 2);
    const { stages } = await engine.attention(q, k, k, { stages: true, scale: 1 });
    engine.dispose();
    for (const row of weightStats(stages!.weights)) expect(row.sum).toBeCloseTo(1, 5);
    expect(spread(stages!.scores).std / Math.sqrt(dk)).toBeGreaterThan(0.9);
    expect(spread(stages!.scores).std / Math.sqrt(dk)).toBeLessThan(1.1);
  });

  it('skips masked entries', () => {
    expect(spread(tensor([1, -Infinity, 3], [1, 3]))).toEqual({ mean: 2, std: 1, count: 2 });
  });
});
