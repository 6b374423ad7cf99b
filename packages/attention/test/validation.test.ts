import { afterEach, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../src/cpu/backend';
import type { AttentionErrorCode } from '../src/errors';
import { flashAttentionCpu } from '../src/flash';
import { decodeWithCache, KVCache } from '../src/kvcache';
import { multiHeadAttention } from '../src/multihead';
import { pca3 } from '../src/pca';
import { ringAttention } from '../src/ring';
import { randn } from '../src/tensor';
import type { Tensor } from '../src/tensor';
import type { MaskSpec, MultiHeadWeights } from '../src/types';
import { formatBytes } from '../src/format';
import { checkBlockFits, checkMemoryBudget } from '../src/validate';
import { expectCode } from './helpers';

/**
 * "Before allocation": while a refused call runs, the typed-array
 * constructors are replaced by counting subclasses (module code looks
 * `Float32Array` up on the global object at call time), and the count must
 * stay 0.
 */
const originals = { Float32Array, Float64Array, Uint8Array };
let allocations = 0;
function countAllocations(): void {
  allocations = 0;
  for (const [name, Base] of Object.entries(originals)) {
    const Counting = class extends (Base as typeof Float32Array) {
      constructor(...args: ConstructorParameters<typeof Float32Array>) {
        super(...args);
        allocations++;
      }
    };
    Object.defineProperty(globalThis, name, { value: Counting, configurable: true, writable: true });
  }
}
function restoreAllocations(): void {
  for (const [name, Base] of Object.entries(originals)) Object.defineProperty(globalThis, name, { value: Base, configurable: true, writable: true });
}
afterEach(restoreAllocations);

async function refusedBeforeAllocation(run: () => unknown, code: AttentionErrorCode): Promise<string> {
  countAllocations();
  let error;
  try {
    error = await expectCode(run, code);
  } finally {
    restoreAllocations();
  }
  expect(allocations).toBe(0);
  return error.message;
}

const backend = createCpuBackend('test');
const q = randn([4, 3], 1);
const k = randn([5, 3], 2);
const v = randn([5, 2], 3);
const withValue = (t: Tensor, index: number, value: number): Tensor => {
  const data = t.data.slice();
  data[index] = value;
  return { data, shape: t.shape };
};

describe('bad inputs are refused with a code, before anything is allocated', () => {
  it('the counting works (a valid call allocates)', () => {
    countAllocations();
    void backend.attention(q, k, v);
    restoreAllocations();
    expect(allocations).toBeGreaterThan(0);
  });

  it('K and V with different numbers of rows', async () => {
    const v6 = randn([6, 2], 4);
    const message = await refusedBeforeAllocation(() => backend.attention(q, k, v6), 'SHAPE_MISMATCH');
    expect(message).toBe('K has 5 rows but V has 6: keys and values come in pairs, one per token.');
  });

  it('Q and K of different widths', async () => {
    const k4 = randn([5, 4], 5);
    const message = await refusedBeforeAllocation(() => backend.attention(q, k4, v), 'SHAPE_MISMATCH');
    expect(message).toMatch(/Q has 3 columns but K has 4/);
  });

  it('a tensor whose data does not fill its shape, or that is not a matrix', async () => {
    await refusedBeforeAllocation(() => backend.attention({ data: q.data, shape: [5, 3] }, k, v), 'SHAPE_MISMATCH');
    await refusedBeforeAllocation(() => backend.matmul({ data: q.data, shape: [12] }, k), 'SHAPE_MISMATCH');
    const b = randn([4, 2], 6);
    await refusedBeforeAllocation(() => backend.matmul(q, b), 'SHAPE_MISMATCH');
  });

  it('NaN and Infinity anywhere', async () => {
    const [kNaN, vInf, qMinusInf, qInf, qNaN] = [withValue(k, 7, NaN), withValue(v, 0, Infinity), withValue(q, 2, -Infinity), withValue(q, 1, Infinity), withValue(q, 0, NaN)];
    const message = await refusedBeforeAllocation(() => backend.attention(q, kNaN, v), 'NON_FINITE');
    expect(message).toMatch(/K holds NaN at index 7/);
    await refusedBeforeAllocation(() => backend.attention(q, k, vInf), 'NON_FINITE');
    await refusedBeforeAllocation(() => backend.matmul(qMinusInf, k, { transposeB: true }), 'NON_FINITE');
    await refusedBeforeAllocation(() => backend.softmax(qInf), 'NON_FINITE');
    await refusedBeforeAllocation(() => backend.attention(q, k, v, { scale: NaN }), 'NON_FINITE');
    await refusedBeforeAllocation(() => flashAttentionCpu(qNaN, k, v, { blockRows: 2, blockCols: 2 }), 'NON_FINITE');
    await refusedBeforeAllocation(() => ringAttention(qNaN, k, v, { devices: 2 }), 'NON_FINITE');
    await refusedBeforeAllocation(() => pca3(qNaN), 'NON_FINITE');
  });

  it('zero or negative sizes', async () => {
    const empty = { data: new Float32Array(0), shape: [0, 3] };
    await refusedBeforeAllocation(() => backend.attention(empty, k, v), 'INVALID_SIZE');
    await refusedBeforeAllocation(() => flashAttentionCpu(q, k, v, { blockRows: 0, blockCols: 2 }), 'INVALID_SIZE');
    await refusedBeforeAllocation(() => flashAttentionCpu(q, k, v, { blockRows: 2, blockCols: -1 }), 'INVALID_SIZE');
    await refusedBeforeAllocation(() => flashAttentionCpu(q, k, v, { blockRows: 1.5, blockCols: 2 }), 'INVALID_SIZE');
    await refusedBeforeAllocation(() => ringAttention(q, k, v, { devices: 0 }), 'INVALID_SIZE');
    await refusedBeforeAllocation(() => ringAttention(q, k, v, { devices: 5 }), 'INVALID_SIZE'); // 4 queries cannot fill 5 devices
    await refusedBeforeAllocation(() => new KVCache(0, 2), 'INVALID_SIZE');
    await refusedBeforeAllocation(() => backend.softmax(q, { temperature: 0 }), 'INVALID_SIZE');
  });

  it('bad mask parameters', async () => {
    const bad: MaskSpec[] = [
      { kind: 'sliding-window', window: 0 },
      { kind: 'strided', stride: -2 },
      { kind: 'strided', stride: 1.5 },
      { kind: 'fixed', stride: 4, summary: 0 },
      { kind: 'fixed', stride: 2, summary: 3 },
      { kind: 'boolean', allowed: new Uint8Array(19) },
      { kind: 'diagonal' } as unknown as MaskSpec,
    ];
    for (const mask of bad) {
      await refusedBeforeAllocation(() => backend.attention(q, k, v, { mask }), 'INVALID_MASK');
      await refusedBeforeAllocation(() => flashAttentionCpu(q, k, v, { blockRows: 2, blockCols: 2, mask }), 'INVALID_MASK');
    }
    const message = await refusedBeforeAllocation(() => ringAttention(q, k, v, { devices: 2, mask: bad[5]! }), 'INVALID_MASK');
    expect(message).toBe('A boolean mask for 4 queries and 5 keys needs 20 entries (one per pair, row by row), got 19.');
  });

  it('heads not divisible by kvHeads, and mismatched projection shapes', async () => {
    const x = randn([4, 6], 7);
    const w = (heads: number, kvHeads: number, dk: number): MultiHeadWeights => ({
      wq: randn([6, heads * dk], 8),
      wk: randn([6, kvHeads * dk], 9),
      wv: randn([6, kvHeads * dk], 10),
      wo: randn([heads * dk, 6], 11),
    });
    const [w64, w44, w42, w22, x5, wo5] = [w(6, 4, 2), w(4, 4, 2), w(4, 2, 2), w(2, 2, 2), randn([4, 5], 12), randn([4, 5], 13)];
    const message = await refusedBeforeAllocation(() => multiHeadAttention(backend, x, x, w64, { heads: 6, kvHeads: 4 }), 'HEADS_NOT_DIVISIBLE');
    expect(message).toMatch(/kvHeads must divide heads/);
    await refusedBeforeAllocation(() => multiHeadAttention(backend, x, x, w44, { heads: 0 }), 'INVALID_SIZE');
    await refusedBeforeAllocation(() => multiHeadAttention(backend, x, x, w42, { heads: 4, kvHeads: 1 }), 'SHAPE_MISMATCH');
    await refusedBeforeAllocation(() => multiHeadAttention(backend, x, x5, w22, { heads: 2 }), 'SHAPE_MISMATCH');
    await refusedBeforeAllocation(() => multiHeadAttention(backend, x, x, { ...w22, wo: wo5 }, { heads: 2 }), 'SHAPE_MISMATCH');
  });

  it('a memory budget that the work would exceed', async () => {
    const small = createCpuBackend('test', { memoryBudgetBytes: 1000 });
    const [q20, k20, v20] = [randn([20, 2], 1), randn([20, 2], 2), randn([20, 2], 3)];
    const message = await refusedBeforeAllocation(() => small.attention(q20, k20, v20, { stages: true }), 'MEMORY_BUDGET');
    expect(message).toBe(
      'Attention over 20 queries and 20 keys would need about 6.41 KiB, more than the 1,000 B budget. Use fewer tokens, skip the stages, or use the tiled (flash) pass.',
    );
    // 40 000 queries against 40 000 keys would need 25.6 GB for the stages: refused, not attempted.
    const long = { data: new Float32Array(40_000), shape: [40_000, 1] };
    await refusedBeforeAllocation(() => backend.attention(long, long, long, { stages: true }), 'MEMORY_BUDGET');
    expect(() => checkMemoryBudget(2 ** 31, 2 ** 30, 'This')).toThrow('This would need about 2 GiB, more than the 1 GiB budget.');
    expect(formatBytes(1536)).toBe('1.5 KiB');
  });

  it('blocks too large for an on-chip capacity', async () => {
    await expectCode(() => checkBlockFits(64, 64, 64, 64, 8192), 'BLOCK_TOO_LARGE');
    expect(() => checkBlockFits(16, 16, 16, 16, 8192)).not.toThrow();
  });

  it('cache and decoding inputs', async () => {
    const cache = new KVCache(3, 2);
    const [two, three, withNaN] = [Float32Array.of(1, 2), Float32Array.of(1, 2, 3), Float32Array.of(1, NaN, 2)];
    await refusedBeforeAllocation(() => cache.append(two, two), 'SHAPE_MISMATCH');
    await refusedBeforeAllocation(() => cache.attend(three), 'INVALID_SIZE'); // empty cache
    await refusedBeforeAllocation(() => cache.append(withNaN, two), 'NON_FINITE');
    await refusedBeforeAllocation(() => decodeWithCache(q, k, v), 'SHAPE_MISMATCH'); // 4 queries, 5 keys
  });
});
