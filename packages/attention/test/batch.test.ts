import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Batch, splitStages, type BatchValue } from '../src/batch';
import { layerNormRows } from '../src/cpu/fast';
import { createCpuBackend } from '../src/cpu/backend';
import { createEngine, type Engine } from '../src/engine';
import { randn, type Tensor } from '../src/tensor';
import type { MaskSpec } from '../src/types';
import { createWebGpuBackend, type WebGpuBackend } from '../src/webgpu/backend';
import { expectClose, nodeGpu } from './webgpu-support';

const { gpu, reason } = await nodeGpu();

/**
 * A decoder-style layer as a batch: layer norm, one product for Q, K and V
 * side by side, each head's slice, cached keys and values stacked above the
 * new ones, attention, the heads side by side, W_O and the residual. Returns
 * the batch and the values it reads.
 */
function layerBatch(rows: number, cached: number, seed: number, mask?: MaskSpec) {
  const d = 12;
  const heads = 3;
  const dk = d / heads;
  const b = new Batch();
  const x = b.input(randn([rows, d], seed));
  const gain = b.input(randn([1, d], seed + 1, 0.5));
  const bias = b.input(randn([1, d], seed + 2, 0.1));
  const h = b.layerNorm(x, gain, bias);
  const qkv = b.matmul(h, b.input(randn([d, 3 * d], seed + 3, 0.4)));
  const outputs: BatchValue[] = [];
  const weights: BatchValue[] = [];
  for (let hd = 0; hd < heads; hd++) {
    let k = b.columns(qkv, d + hd * dk, dk);
    let v = b.columns(qkv, 2 * d + hd * dk, dk);
    if (cached > 0) {
      k = b.concat([b.input(randn([cached, dk], seed + 10 + hd)), k], 'rows');
      v = b.concat([b.input(randn([cached, dk], seed + 20 + hd)), v], 'rows');
    }
    const head = b.attention(b.columns(qkv, hd * dk, dk), k, v, mask ? { mask } : {});
    outputs.push(head.output);
    weights.push(b.read(head.weights));
  }
  const concatenated = b.read(b.concat(outputs, 'columns'));
  const y = b.read(b.add(x, b.matmul(concatenated, b.input(randn([d, d], seed + 4, 0.4)))));
  // An MLP block: biases added to every row, GELU between the two products.
  const hidden = b.read(b.gelu(b.add(b.matmul(b.layerNorm(y, gain, bias), b.input(randn([d, 2 * d], seed + 6, 0.5))), b.input(randn([1, 2 * d], seed + 7, 0.5)))));
  const z = b.add(y, b.add(b.matmul(hidden, b.input(randn([2 * d, d], seed + 8, 0.3))), b.input(randn([1, d], seed + 9, 0.1))));
  const logits = b.read(b.matmul(b.layerNorm(z, gain, bias), b.input(randn([20, d], seed + 5)), { transposeB: true }));
  return { b, h, weights, concatenated, y, hidden, logits };
}

describe('batches on the CPU', () => {
  const cpu = createCpuBackend('test');

  it('give what the same ops give one by one', async () => {
    const engine = await createEngine({ prefer: 'cpu' });
    const x = randn([5, 8], 1);
    const w = randn([8, 6], 2);
    const gain = randn([1, 8], 3);
    const bias = randn([1, 8], 4);
    const b = new Batch();
    const xv = b.input(x);
    const normed = b.read(b.layerNorm(xv, b.input(gain), b.input(bias), 1e-5));
    const product = b.read(b.matmul(normed, b.input(w)));
    const q = b.columns(product, 0, 3);
    const k = b.columns(product, 3, 3);
    const head = b.attention(q, k, b.read(b.concat([k, q], 'columns')), { mask: { kind: 'causal' }, stages: true });
    b.read(head.output);
    b.read(head.weights);
    b.read(head.stages);
    const stacked = b.read(b.concat([q, k], 'rows'));
    const sum = b.read(b.add(product, product));
    const biased = b.read(b.add(product, b.input({ data: Float32Array.from([1, 2, 3, 4, 5, 6]), shape: [1, 6] })));
    const activated = b.read(b.gelu(b.input({ data: Float32Array.from([-3, -1, 0, 0.5, 2]), shape: [1, 5] })));
    const result = await engine.run(b);

    const expectedNormed = layerNormRows(x.data, 5, 8, gain.data, bias.data, 1e-5);
    expect(result.get(normed).data).toEqual(expectedNormed);
    const expectedProduct = await cpu.matmul({ data: expectedNormed, shape: [5, 8] }, w);
    expect(result.get(product).data).toEqual(expectedProduct.data);
    const cols = (t: Tensor, from: number, width: number) => Float32Array.from({ length: 5 * width }, (_, i) => t.data[Math.floor(i / width) * t.shape[1]! + from + (i % width)]!);
    const qData = cols(expectedProduct, 0, 3);
    const kData = cols(expectedProduct, 3, 3);
    const vData = Float32Array.from({ length: 30 }, (_, i) => (i % 6 < 3 ? kData[Math.floor(i / 6) * 3 + (i % 6)]! : qData[Math.floor(i / 6) * 3 + (i % 6) - 3]!));
    const single = await cpu.attention({ data: qData, shape: [5, 3] }, { data: kData, shape: [5, 3] }, { data: vData, shape: [5, 6] }, { mask: { kind: 'causal' }, stages: true });
    expect(result.get(head.output).data).toEqual(single.output.data);
    expect(result.get(head.weights).data).toEqual(single.stages!.weights.data);
    expect(result.get(head.weights).data[1]).toBe(0); // query 0 may not see key 1
    expect(result.get(head.stages).shape).toEqual([15, 5]);
    const stages = splitStages(result.get(head.stages));
    for (const name of ['scores', 'scaled', 'masked'] as const) expect(stages[name].data, name).toEqual(single.stages![name].data);
    expect(stages.masked.data[1]).toBe(-Infinity);
    expect(result.get(stacked).shape).toEqual([10, 3]);
    expect(result.get(stacked).data).toEqual(Float32Array.from([...qData, ...kData]));
    expect(result.get(sum).data).toEqual(expectedProduct.data.map((v) => v + v));
    expect(result.get(biased).data).toEqual(expectedProduct.data.map((v, i) => v + 1 + (i % 6)));
    // GELU (tanh form): 0 at 0, near x for large x, slightly negative below 0.
    const g = result.get(activated).data;
    expect([...g].map((v) => Number(v.toFixed(4)))).toEqual([-0.0036, -0.1588, 0, 0.3457, 1.9546]);
    engine.dispose();
  });

  it('normalise each row to mean 0 and variance 1 before the gain and bias', () => {
    const x = Float32Array.from([1, 2, 3, 4, 100, 100, 100, 101]);
    const y = layerNormRows(x, 2, 4, Float32Array.from([1, 1, 1, 1]), new Float32Array(4), 0);
    for (const row of [y.subarray(0, 4), y.subarray(4)]) {
      const mean = row.reduce((a, v) => a + v, 0) / 4;
      const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / 4;
      expect(Math.abs(mean)).toBeLessThan(1e-6);
      expect(variance).toBeCloseTo(1, 5);
    }
    expect(y[7]).toBeCloseTo(Math.sqrt(3), 5);
  });

  it('only give back what they read', async () => {
    const engine = await createEngine({ prefer: 'cpu' });
    const b = new Batch();
    const x = b.input(randn([2, 2], 1));
    const y = b.add(x, x);
    b.read(y);
    const result = await engine.run(b);
    expect(() => result.get(x)).toThrow(expect.objectContaining({ code: 'INVALID_SIZE' }));
    await expect(engine.run(new Batch())).rejects.toMatchObject({ code: 'INVALID_SIZE' });
    engine.dispose();
  });

  it('refuse bad shapes and inputs when the op is added, naming the problem', () => {
    const b = new Batch();
    const a = b.input(randn([2, 3], 1));
    const c = b.input(randn([4, 5], 2));
    expect(() => b.matmul(a, c)).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH', message: expect.stringContaining('inner sizes 3 and 4') }));
    expect(() => b.add(a, c)).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => b.add(b.input(randn([3, 3], 3)), a)).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH', message: expect.stringContaining('one row of 3') }));
    expect(() => b.columns(a, 2, 2)).toThrow(expect.objectContaining({ code: 'INVALID_SIZE' }));
    expect(() => b.concat([a, c], 'rows')).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => b.concat([], 'columns')).toThrow(expect.objectContaining({ code: 'INVALID_SIZE' }));
    expect(() => b.layerNorm(a, c, c)).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH', message: expect.stringContaining('must be [1, 3]') }));
    expect(() => b.attention(a, c, c)).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => b.attention(a, a, a, { mask: { kind: 'sliding-window', window: 0 } })).toThrow(expect.objectContaining({ code: 'INVALID_MASK' }));
    expect(() => b.input({ data: Float32Array.from([1, Number.NaN]), shape: [1, 2] })).toThrow(expect.objectContaining({ code: 'NON_FINITE' }));
    expect(() => new Batch().read(a)).toThrow(expect.objectContaining({ message: expect.stringContaining('another batch') }));
  });

  it('are refused over the memory budget before anything runs', async () => {
    const engine = await createEngine({ prefer: 'cpu', memoryBudgetBytes: 1000 });
    const b = new Batch();
    b.read(b.add(b.input(randn([10, 10], 1)), b.input(randn([10, 10], 2))));
    await expect(engine.run(b)).rejects.toMatchObject({ code: 'MEMORY_BUDGET' });
    engine.dispose();
  });
});

describe.skipIf(!gpu)(`batches on WebGPU${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let backend: WebGpuBackend;
  let cpu: Engine;
  beforeAll(async () => {
    backend = await createWebGpuBackend(gpu!);
    cpu = await createEngine({ prefer: 'cpu' });
  });
  afterAll(() => {
    backend?.dispose();
    cpu?.dispose();
  });

  const cases: [string, number, number, MaskSpec | undefined][] = [
    ['one new row over 6 cached keys (a decoding step)', 1, 6, undefined],
    ['a whole sequence with a causal mask', 7, 0, { kind: 'causal' }],
    ['a sequence after cached keys, with a sliding window', 5, 3, { kind: 'sliding-window', window: 4 }],
  ];
  it.each(cases)('give the CPU numbers within 1e-5 in one submission: %s', async (_, rows, cached, mask) => {
    const { b, weights, concatenated, y, hidden, logits } = layerBatch(rows, cached, 40 + rows, mask);
    const before = backend.stats.calls;
    const onGpu = await backend.run!(b);
    expect(backend.stats.calls - before).toBe(1);
    const onCpu = await cpu.run(b);
    for (const [i, w] of weights.entries()) {
      expect(onGpu.get(w).shape).toEqual([rows, cached + rows]);
      expectClose(onGpu.get(w), onCpu.get(w), `head ${i} weights`);
    }
    for (const [value, what] of [
      [concatenated, 'heads side by side'],
      [y, 'residual'],
      [hidden, 'GELU of the MLP'],
      [logits, 'logits'],
    ] as const)
      expectClose(onGpu.get(value), onCpu.get(value), what);
    if (mask?.kind === 'causal') {
      // Masked weights are exactly 0 on the GPU as on the CPU.
      const w = onGpu.get(weights[0]!).data;
      for (let i = 0; i < rows; i++) for (let j = i + 1; j < rows; j++) expect(w[i * rows + j]).toBe(0);
    }
  });

  const stageCases: [string, number, number][] = [
    ['a small problem (the thread-per-row kernel)', 6, 4],
    ['a larger one (the workgroup-per-row kernel)', 96, 24],
  ];
  it.each(stageCases)('give every stage of attention, bit for bit as the single op, in the same submission: %s', async (_, n, d) => {
    const [q, k, v] = [randn([n, d], 71), randn([n, d], 72), randn([n, d], 73)];
    const mask: MaskSpec = { kind: 'causal' };
    const b = new Batch();
    const head = b.attention(b.input(q), b.input(k), b.input(v), { mask, stages: true });
    for (const value of Object.values(head)) b.read(value);
    const before = backend.stats.calls;
    const batched = await backend.run!(b);
    expect(backend.stats.calls - before).toBe(1);
    const single = await backend.attention(q, k, v, { mask, stages: true });
    expect(batched.get(head.output).data).toEqual(single.output.data);
    expect(batched.get(head.weights).data).toEqual(single.stages!.weights.data);
    const stages = splitStages(batched.get(head.stages));
    for (const name of ['scores', 'scaled', 'masked'] as const) expect(stages[name].data, name).toEqual(single.stages![name].data);
    expect(stages.masked.data[1]).toBe(-Infinity);
    expect(stages.scaled.data[1]).toBeCloseTo(stages.scores.data[1]! / Math.sqrt(d), 5);
  });

  it("dispatch no copy for a head's columns, the cached keys and values, or the heads side by side", async () => {
    const heads = 3;
    const { b } = layerBatch(1, 6, 5);
    const before = backend.stats.dispatches;
    await backend.run!(b);
    // One dispatch per op that computes; the only copies left put each head's new key and value below its cache.
    const computing = b.nodes.filter((node) => ['matmul', 'attention', 'layerNorm', 'add', 'gelu'].includes(node.op)).length;
    expect(backend.stats.dispatches - before).toBe(computing + 2 * heads);
  });

  it('give the CPU numbers when columns, concatenations and inputs are used in every other way', async () => {
    const b = new Batch();
    const x = b.input(randn([4, 9], 81));
    const cachedKeys = randn([2, 3], 82);
    const cached = b.input(cachedKeys);
    const shared = b.input(randn([1, 3], 90));
    const product = b.matmul(x, b.input(randn([9, 9], 83)));
    const middle = b.columns(product, 3, 3);
    const read = [
      b.matmul(middle, b.input(randn([3, 2], 84))), // a view into a product: copied out first
      b.columns(b.columns(product, 2, 6), 1, 2), // a view of a view, read back
      b.columns(b.input(randn([1, 5], 85)), 2, 3), // one row of an input, from its third element, read where it is
      b.concat([cached, middle, cached], 'rows'), // an input in place twice, a view between
      b.concat([middle, shared], 'rows'), // an input below a view, also used on its own:
      b.add(shared, shared), // not in place
      b.concat([middle, b.columns(x, 0, 2)], 'columns'), // views side by side
      b.columns(b.columns(product, 0, 9), 0, 9), // every column: read where it is
    ];
    const cachedValues = b.input(randn([2, 4], 89));
    const heads = [0, 1].map((h) =>
      b.attention(b.columns(product, 3 * h, 3), b.concat([cached, b.columns(product, 3 + 3 * h, 3)], 'rows'), b.concat([cachedValues, b.columns(x, 4 * h, 4)], 'rows'), {
        mask: { kind: 'causal' },
      }),
    );
    // Head 0's output also read on its own, and head 1's used twice: neither written into the concatenation.
    read.push(b.concat([heads[0]!.output, heads[1]!.output, heads[1]!.output], 'columns'), heads[0]!.output, heads[1]!.weights);
    // Written into its columns: attention over inputs alone, beside a view.
    const lone = b.attention(b.input(randn([4, 2], 86)), b.input(randn([5, 2], 87)), b.input(randn([5, 3], 88)));
    read.push(b.concat([middle, lone.output], 'columns'));
    for (const value of read) b.read(value);
    const onGpu = await backend.run!(b);
    const onCpu = await cpu.run(b);
    for (const [i, value] of read.entries()) {
      const node = b.nodes[value.id]!;
      expect(onGpu.get(value).shape, `value ${i}`).toEqual(onCpu.get(value).shape);
      expectClose(onGpu.get(value), onCpu.get(value), `value ${i} (${node.op})`);
    }
    // Copies of inputs are exact: the input's columns, the cached rows in place above and below the view, and the shared row below it.
    expect(onGpu.get(read[2]!).data).toEqual(onCpu.get(read[2]!).data);
    const stacked = onGpu.get(read[3]!).data;
    expect(stacked.subarray(0, 6)).toEqual(cachedKeys.data);
    expect(stacked.subarray(18)).toEqual(cachedKeys.data);
    expect(onGpu.get(read[4]!).data.subarray(12)).toEqual(onCpu.get(read[4]!).data.subarray(12));
  });

  it('reuse their buffers when the same batch runs again', async () => {
    const { b } = layerBatch(1, 6, 3);
    await backend.run!(b);
    const created = backend.stats.buffersCreated;
    await backend.run!(b);
    expect(backend.stats.buffersCreated).toBe(created);
  });
});
