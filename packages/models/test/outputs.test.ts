import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type Tensor } from '@attention-guide/attention';
import { BOS } from '../src/data';
import { runDecoder, type DecoderRun } from '../src/inference';
import { readShipped } from '../src/shipped';
import { encode } from '../src/tokenize';

/**
 * runDecoder's `outputs`: each self-attention layer's heads side by side
 * (Concat) and its output, as engine.multiHeadAttention returned them.
 */

const decoder = readShipped('decoder');
let engine: Engine;
let run: DecoderRun;

beforeAll(async () => {
  engine = await createEngine({ prefer: 'cpu' });
  const encoded = encode('the cat sat on the mat because it was tired .', decoder.vocabulary['tokens']!, 60);
  if (!encoded.ok) throw new Error(encoded.message);
  run = await runDecoder(engine, decoder, [BOS, ...encoded.value.ids], { projections: true, outputs: true });
});
afterAll(() => engine.dispose());

const largestDifference = (a: Float32Array, b: Float32Array) => {
  expect(a.length).toBe(b.length);
  return a.reduce((worst, x, i) => Math.max(worst, Math.abs(x - b[i]!)), 0);
};

describe('each attention layer’s concatenated heads and output', () => {
  it('are kept for both layers, n × h·d_v and n × d_model, only when asked for', async () => {
    expect(run.outputs!.map((o) => o.name)).toEqual(['layer0.self', 'layer1.self']);
    for (const o of run.outputs!) {
      expect(o.concatenated.shape).toEqual([12, 32]);
      expect(o.output.shape).toEqual([12, 32]);
    }
    const plain = await runDecoder(engine, decoder, [BOS, 20]);
    expect(plain.outputs).toBeUndefined();
    expect(plain.projections).toBeUndefined();
  });

  it('Concat · W_O (engine.matmul) is the layer’s output within float tolerance', async () => {
    for (const o of run.outputs!) {
      const wo = decoder.params.get(`${o.name}.wo`);
      const product = await engine.matmul(o.concatenated, { data: wo.value, shape: [wo.rows, wo.cols] } satisfies Tensor);
      expect(largestDifference(product.data, o.output.data), o.name).toBeLessThan(1e-6);
    }
  });

  it('Concat holds each head’s attention output (softmax(QKᵀ/√d_k)V of its own queries, keys and values) in its own 8 columns', async () => {
    for (const p of run.projections!) {
      const { output } = await engine.attention(p.queries, p.keys, p.values, { mask: { kind: 'causal' } });
      const concatenated = run.outputs!.find((o) => o.name === p.name)!.concatenated;
      const dv = p.values.shape[1]!;
      const slice = new Float32Array(12 * dv);
      for (let i = 0; i < 12; i++) slice.set(concatenated.data.subarray(i * 32 + p.head * dv, i * 32 + (p.head + 1) * dv), i * dv);
      expect(largestDifference(slice, output.data), `${p.name} head ${p.head}`).toBeLessThan(1e-6);
    }
  });

  it('leave the logits unchanged', async () => {
    const plain = await runDecoder(engine, decoder, [BOS, 20, 21, 22]);
    const recorded = await runDecoder(engine, decoder, [BOS, 20, 21, 22], { outputs: true });
    expect(largestDifference(recorded.logits, plain.logits)).toBe(0);
  });
});
