import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { softmaxFast } from '../src/cpu/fast';
import { attentionReference, softmaxReference } from '../src/cpu/reference';
import { attentionFast } from '../src/cpu/fast';
import { tensor } from '../src/tensor';
import type { Tensor } from '../src/tensor';
import { expectClose, qkv } from './helpers';

const paths = [
  ['reference', softmaxReference],
  ['fast', softmaxFast],
] as const;

const matrices = fc
  .record({ rows: fc.integer({ min: 1, max: 8 }), cols: fc.integer({ min: 1, max: 24 }) })
  .chain(({ rows, cols }) =>
    fc.array(fc.float({ min: -50, max: 50, noNaN: true, noDefaultInfinity: true }), { minLength: rows * cols, maxLength: rows * cols }).map((values) => tensor(values, [rows, cols])),
  );

function rowSums(t: Tensor): number[] {
  const [rows, cols] = [t.shape[0]!, t.shape[1]!];
  return Array.from({ length: rows }, (_, i) => t.data.subarray(i * cols, (i + 1) * cols).reduce((a, b) => a + b, 0));
}

describe.each(paths)('%s softmax', (_, softmax) => {
  it('gives non-negative rows that sum to 1', () => {
    fc.assert(
      fc.property(matrices, fc.float({ min: Math.fround(0.1), max: 10, noNaN: true }), (x, temperature) => {
        const w = softmax(x, { temperature });
        for (const value of w.data) expect(value).toBeGreaterThanOrEqual(0);
        for (const sum of rowSums(w)) expect(Math.abs(sum - 1)).toBeLessThanOrEqual(1e-6);
      }),
      { numRuns: 60 },
    );
  });

  it('stays finite and correct for logits of ±1e4', () => {
    // exp(1e4) overflows: only the row-max subtraction keeps these finite.
    const x = tensor([1e4, 1e4 - 1, 1e4 - 2, -1e4, -1e4 + 2, -1e4 + 1, 1e4, -1e4, 0], [3, 3]);
    const w = softmax(x);
    for (const value of w.data) expect(Number.isFinite(value)).toBe(true);
    const z = 1 + Math.exp(-1) + Math.exp(-2);
    expectClose(w.data.subarray(0, 3), Float32Array.of(1 / z, Math.exp(-1) / z, Math.exp(-2) / z), 1e-6);
    const z1 = Math.exp(-2) + 1 + Math.exp(-1);
    expectClose(w.data.subarray(3, 6), Float32Array.of(Math.exp(-2) / z1, 1 / z1, Math.exp(-1) / z1), 1e-6);
    // 1e4 against -1e4 and 0: the others are e^-1e4 ≈ 0 of the max.
    expectClose(w.data.subarray(6, 9), Float32Array.of(1, 0, 0), 1e-6);
  });

  it('gives masked (-Infinity) entries weight exactly 0 and a fully masked row all zeros', () => {
    const x = tensor([1, -Infinity, 3, -Infinity, -Infinity, -Infinity], [2, 3]);
    const w = softmax(x);
    expect(w.data[1]).toBe(0);
    expectClose(w.data.subarray(0, 3), Float32Array.of(1 / (1 + Math.exp(2)), 0, Math.exp(2) / (1 + Math.exp(2))), 1e-6);
    expect([...w.data.subarray(3)]).toEqual([0, 0, 0]);
  });

  it('applies the scale first, then divides by the temperature', () => {
    const x = tensor([1, 2, 4, -1], [1, 4]);
    expectClose(softmax(x, { scale: 3, temperature: 2 }), softmax(tensor([1.5, 3, 6, -1.5], [1, 4])), 1e-6);
  });
});

describe('attention weights under a mask', () => {
  it('are exactly 0 where masked, in both paths', () => {
    const [q, k, v] = qkv(9, 9, 4, 3, 7);
    for (const result of [attentionReference(q, k, v, { mask: { kind: 'causal' }, stages: true }), attentionFast(q, k, v, { mask: { kind: 'causal' }, stages: true })]) {
      const weights = result.stages!.weights.data;
      for (let i = 0; i < 9; i++) {
        for (let j = 0; j < 9; j++) {
          if (j > i) expect(weights[i * 9 + j]).toBe(0);
          else expect(weights[i * 9 + j]).toBeGreaterThan(0);
        }
      }
    }
  });
});
