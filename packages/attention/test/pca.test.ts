import { describe, expect, it } from 'vitest';
import { pca3 } from '../src/pca';
import { randn, tensor } from '../src/tensor';
import type { Tensor } from '../src/tensor';

function distance(t: Tensor, a: number, b: number): number {
  const d = t.shape[1]!;
  let s = 0;
  for (let c = 0; c < d; c++) s += (t.data[a * d + c]! - t.data[b * d + c]!) ** 2;
  return Math.sqrt(s);
}

/** 40 points in a random 3-D affine subspace of R^10. */
function pointsIn3d(seed: number): Tensor {
  const coefficients = randn([40, 3], seed, 2);
  const basis = randn([3, 10], seed + 1);
  const offset = randn([1, 10], seed + 2, 5);
  const data = new Float32Array(40 * 10);
  for (let i = 0; i < 40; i++) {
    for (let c = 0; c < 10; c++) {
      let s = offset.data[c]!;
      for (let b = 0; b < 3; b++) s += coefficients.data[i * 3 + b]! * basis.data[b * 10 + c]!;
      data[i * 10 + c] = s;
    }
  }
  return tensor(data, [40, 10]);
}

describe('pca3', () => {
  it('keeps all the variance of points in a 3-D subspace, and their pairwise distances', () => {
    const points = pointsIn3d(1);
    const { projected, components, varianceKept } = pca3(points);
    expect(varianceKept).toBeGreaterThan(1 - 1e-5);
    for (let a = 0; a < 40; a += 3) {
      for (let b = a + 1; b < 40; b += 5) {
        const original = distance(points, a, b);
        expect(Math.abs(distance(projected, a, b) - original)).toBeLessThan(1e-4 * Math.max(1, original));
      }
    }
    // Components are orthonormal.
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let dot = 0;
        for (let c = 0; c < 10; c++) dot += components.data[i * 10 + c]! * components.data[j * 10 + c]!;
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 5);
      }
    }
  });

  it('orders components by variance and reports the share kept', () => {
    // Variances 16, 9, 4, 1 along the axes of R^4 (±4, ±3, ±2, ±1 in turn).
    const rows: number[] = [];
    const scales = [4, 3, 2, 1];
    scales.forEach((s, axis) => {
      for (const sign of [1, -1]) rows.push(...scales.map((_, c) => (c === axis ? sign * s : 0)));
    });
    const { components, varianceKept, mean } = pca3(tensor(rows, [8, 4]));
    expect([...mean]).toEqual([0, 0, 0, 0]);
    expect(varianceKept).toBeCloseTo(29 / 30, 6);
    for (let c = 0; c < 3; c++) expect(Math.abs(components.data[c * 4 + c]!)).toBeCloseTo(1, 5);
  });

  it('pads with zeros when d < 3 and keeps everything', () => {
    const { projected, components, varianceKept } = pca3(tensor([0, 0, 2, 0, 0, 1, 2, 1], [4, 2]));
    expect(varianceKept).toBe(1);
    expect(projected.shape).toEqual([4, 3]);
    expect(components.shape).toEqual([3, 2]);
    expect([...components.data.subarray(4)]).toEqual([0, 0]);
    for (let i = 0; i < 4; i++) expect(projected.data[i * 3 + 2]).toBe(0);
  });

  it('is deterministic, with a fixed sign', () => {
    const points = randn([30, 6], 9);
    const a = pca3(points);
    const b = pca3(points);
    expect([...a.projected.data]).toEqual([...b.projected.data]);
    for (let c = 0; c < 3; c++) {
      const row = [...a.components.data.subarray(c * 6, (c + 1) * 6)];
      const largest = row.reduce((best, x) => (Math.abs(x) > Math.abs(best) ? x : best), 0);
      expect(largest).toBeGreaterThan(0);
    }
  });

  it('handles identical points (no variance)', () => {
    const { projected, varianceKept } = pca3(tensor([1, 2, 3, 4, 1, 2, 3, 4], [2, 4]));
    expect(varianceKept).toBe(1);
    expect([...projected.data].every((x) => x === 0)).toBe(true);
  });
});
