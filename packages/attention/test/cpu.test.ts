import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../src/cpu/backend';
import { attentionFast, matmulFast, softmaxFast } from '../src/cpu/fast';
import { attentionReference, matmulReference, softmaxReference } from '../src/cpu/reference';
import { maskMatrix } from '../src/masks';
import { randn, tensor } from '../src/tensor';
import type { MaskSpec } from '../src/types';
import { expectClose, masks, qkv, sizes } from './helpers';


describe('reference', () => {
  it('multiplies a small matrix by hand', () => {
    const a = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = tensor([7, 8, 9, 10, 11, 12], [3, 2]);
    expect([...matmulReference(a, b).data]).toEqual([58, 64, 139, 154]);
    // a · aᵀ
    expect([...matmulReference(a, a, true).data]).toEqual([14, 32, 32, 77]);
  });

  it('computes attention of a hand-sized example', () => {
    // One query, two keys: scores 1 and 0, scale 1, weights e/(1+e), 1/(1+e).
    const q = tensor([1, 0], [1, 2]);
    const k = tensor([1, 0, 0, 1], [2, 2]);
    const v = tensor([10, 0, 0, 10], [2, 2]);
    const { output, stages } = attentionReference(q, k, v, { scale: 1, stages: true });
    const w0 = Math.E / (1 + Math.E);
    expectClose(stages!.weights, tensor([w0, 1 - w0], [1, 2]), 1e-6);
    expectClose(output, tensor([10 * w0, 10 * (1 - w0)], [1, 2]), 1e-6);
  });
});

describe('fast path equals the reference', () => {
  it('matmul, plain and transposed, on random shapes', () => {
    fc.assert(
      fc.property(sizes, fc.boolean(), ({ n, m, dk, seed }, transposeB) => {
        const a = randn([n, dk], seed);
        const b = transposeB ? randn([m, dk], seed + 1) : randn([dk, m], seed + 1);
        expectClose(matmulFast(a, b, transposeB), matmulReference(a, b, transposeB));
      }),
      { numRuns: 60 },
    );
  });

  it('softmax on random matrices', () => {
    fc.assert(
      fc.property(sizes, ({ n, m, seed }) => {
        const x = randn([n, m], seed, 5);
        expectClose(softmaxFast(x, { scale: 0.7, temperature: 1.3 }), softmaxReference(x, { scale: 0.7, temperature: 1.3 }));
      }),
      { numRuns: 40 },
    );
  });

  it('attention with every stage, under every mask kind', () => {
    fc.assert(
      fc.property(sizes, masks, fc.boolean(), ({ n, m, dk, dv, seed }, mask, stages) => {
        const [q, k, v] = qkv(n, m, dk, dv, seed);
        const fast = attentionFast(q, k, v, { mask, stages });
        const reference = attentionReference(q, k, v, { mask, stages: true });
        expectClose(fast.output, reference.output);
        if (stages) {
          expectClose(fast.stages!.scores, reference.stages!.scores);
          expectClose(fast.stages!.scaled, reference.stages!.scaled);
          expectClose(fast.stages!.weights, reference.stages!.weights);
          // Masked entries are -Infinity in both, at the same places.
          const a = fast.stages!.masked.data;
          const b = reference.stages!.masked.data;
          for (let i = 0; i < a.length; i++) expect(a[i] === -Infinity).toBe(b[i] === -Infinity);
        } else {
          expect(fast.stages).toBeUndefined();
        }
      }),
      { numRuns: 80 },
    );
  });

  it('attention with a boolean mask and an explicit scale, across row blocks', () => {
    // n = 70 spans three 32-row blocks of the fast path.
    const [q, k, v] = qkv(70, 45, 8, 5, 3);
    const allowed = maskMatrix({ kind: 'strided', stride: 4 }, 70, 45);
    allowed[3] = 1; // a hole that no built-in pattern has
    const mask: MaskSpec = { kind: 'boolean', allowed };
    expectClose(attentionFast(q, k, v, { mask, scale: 0.3 }).output, attentionReference(q, k, v, { mask, scale: 0.3 }).output);
  });

  it('attention over more keys than one 256-key chunk of P·V, with masks that shift the key range', () => {
    const [q, k, v] = qkv(40, 600, 8, 6, 21);
    for (const mask of [{ kind: 'none' }, { kind: 'causal' }, { kind: 'sliding-window', window: 300 }] as const) {
      expectClose(attentionFast(q, k, v, { mask }).output, attentionReference(q, k, v, { mask }).output);
    }
  });
});

describe('CPU backend', () => {
  it('reports itself and computes through the fast path', async () => {
    const backend = createCpuBackend('no WebGPU here');
    expect(backend.info).toEqual({ kind: 'cpu', reason: 'no WebGPU here' });
    const [q, k, v] = qkv(12, 12, 4, 4, 11);
    expectClose((await backend.attention(q, k, v, { mask: { kind: 'causal' } })).output, attentionReference(q, k, v, { mask: { kind: 'causal' } }).output);
    expectClose(await backend.matmul(q, k, { transposeB: true }), matmulReference(q, k, true));
    expectClose(await backend.flashAttention(q, k, v, { blockRows: 5, blockCols: 3 }), attentionReference(q, k, v).output);
    // softmax accepts the masked stage (with -Infinity) as it is.
    const masked = attentionReference(q, k, v, { mask: { kind: 'causal' }, stages: true }).stages!.masked;
    expectClose(await backend.softmax(masked), softmaxReference(masked));
  });

  it('refuses calls after dispose', async () => {
    const backend = createCpuBackend('test');
    backend.dispose();
    await expect(backend.matmul(tensor([1], [1, 1]), tensor([1], [1, 1]))).rejects.toMatchObject({ code: 'BACKEND_FAILED' });
  });
});
