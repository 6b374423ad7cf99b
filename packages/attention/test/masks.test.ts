import { describe, expect, it } from 'vitest';
import { maskAllows, maskedFraction, maskMatrix, rowRange, isContiguous } from '../src/masks';
import type { MaskSpec } from '../src/types';

/** The mask as rows of '1'/'.' for readable expectations. */
function picture(spec: MaskSpec, n: number, m: number): string[] {
  const bits = maskMatrix(spec, n, m);
  return Array.from({ length: n }, (_, i) => Array.from(bits.subarray(i * m, (i + 1) * m), (b) => (b ? '1' : '.')).join(''));
}

describe('masks', () => {
  it('causal: j <= i', () => {
    expect(picture({ kind: 'causal' }, 4, 4)).toEqual(['1...', '11..', '111.', '1111']);
  });

  it('causal with more keys than queries aligns the queries to the last keys', () => {
    // 2 queries, 5 keys: query 0 sits at key position 3, query 1 at 4.
    expect(picture({ kind: 'causal' }, 2, 5)).toEqual(['1111.', '11111']);
  });

  it('causal with fewer keys than queries leaves early queries seeing nothing', () => {
    expect(picture({ kind: 'causal' }, 4, 2)).toEqual(['..', '..', '1.', '11']);
  });

  it('sliding window: causal within the last `window` keys', () => {
    expect(picture({ kind: 'sliding-window', window: 2 }, 5, 5)).toEqual(['1....', '11...', '.11..', '..11.', '...11']);
  });

  it('strided (Child et al.): the last `stride` positions, or a multiple of `stride` back', () => {
    expect(picture({ kind: 'strided', stride: 3 }, 8, 8)).toEqual([
      '1.......',
      '11......',
      '111.....',
      '1111....',
      '.1111...',
      '..1111..',
      '1..1111.',
      '.1..1111',
    ]);
  });

  it('fixed (Child et al.): own block of `stride`, or the last `summary` of any earlier block', () => {
    expect(picture({ kind: 'fixed', stride: 3, summary: 1 }, 7, 7)).toEqual([
      '1......',
      '11.....',
      '111....',
      '..11...',
      '..111..',
      '..1111.',
      '..1..11',
    ]);
  });

  it('boolean: exactly the given pattern', () => {
    const allowed = Uint8Array.of(1, 0, 1, 0, 1, 1);
    expect(picture({ kind: 'boolean', allowed }, 2, 3)).toEqual(['1.1', '.11']);
    expect(maskAllows({ kind: 'boolean', allowed }, 2, 3)(1, 0)).toBe(false);
  });

  it('none allows everything', () => {
    expect(picture({ kind: 'none' }, 2, 3)).toEqual(['111', '111']);
  });

  it('maskedFraction is the share of pairs computed', () => {
    expect(maskedFraction({ kind: 'none' }, 3, 4)).toBe(1);
    expect(maskedFraction({ kind: 'causal' }, 10, 10)).toBeCloseTo(55 / 100, 12);
    expect(maskedFraction({ kind: 'sliding-window', window: 2 }, 5, 5)).toBeCloseTo(9 / 25, 12);
    expect(maskedFraction({ kind: 'causal' }, 4, 2)).toBeCloseTo(3 / 8, 12);
  });

  it('rowRange brackets every allowed key, exactly for the contiguous kinds', () => {
    const specs: MaskSpec[] = [
      { kind: 'causal' },
      { kind: 'sliding-window', window: 3 },
      { kind: 'strided', stride: 2 },
      { kind: 'fixed', stride: 4, summary: 2 },
    ];
    for (const spec of specs) {
      for (const [n, m] of [[6, 6], [3, 7], [7, 3]] as const) {
        const allows = maskAllows(spec, n, m);
        for (let i = 0; i < n; i++) {
          const [lo, hi] = rowRange(spec, n, m, i);
          for (let j = 0; j < m; j++) {
            if (allows(i, j)) expect(j >= lo && j < hi).toBe(true);
            else if (isContiguous(spec)) expect(j >= lo && j < hi).toBe(false);
          }
        }
      }
    }
  });
});
