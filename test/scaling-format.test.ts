import { describe, expect, it } from 'vitest';
import { fixed, times } from '../src/islands/scaling/format';

describe('the √d_k demo’s numbers', () => {
  it('fixed writes what toLocaleString writes, with a true minus sign, for every count of decimals asked', () => {
    const xs = [0, -0, 1, -1, 0.5, -0.125, 2.675, 1234.5678, -98765.4321, 1e-7, 123456789];
    for (const decimals of [0, 1, 2, 3, 1, 0]) {
      for (const x of xs) {
        const expected = x.toLocaleString('en-GB', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).replace('-', '\u2212');
        expect(fixed(x, decimals), `${x} to ${decimals} decimals`).toBe(expected);
      }
    }
    expect(fixed(-1234.5, 1)).toBe('\u22121,234.5');
  });

  it('times says ratios as a reader would', () => {
    expect(times(2.4, 1)).toBe('2.4');
    expect(times(42, 1)).toBe('42');
    expect(times(10_000, 1)).toBe('10,000');
    expect(times(1, 0)).toBe('infinitely many');
  });
});
