import { describe, expect, it } from 'vitest';
import { rng } from '@attention-guide/attention/tensor';
import { decoderForward, pack, Params, seq2seqForward, Tape, type DecoderConfig, type Seq2SeqConfig } from '../src/model';

/**
 * The backward pass against central finite differences of the loss, for
 * every parameter of both models (small sizes, same code paths).
 */

const decoder: DecoderConfig = { kind: 'decoder', vocab: 11, dModel: 8, heads: 2, layers: 2, dFF: 12, maxLength: 6 };
const seq2seq: Seq2SeqConfig = {
  kind: 'encoder-decoder',
  sourceVocab: 9,
  targetVocab: 10,
  dModel: 8,
  heads: 2,
  encoderLayers: 2,
  decoderLayers: 2,
  dFF: 12,
  maxSourceLength: 5,
  maxTargetLength: 6,
};

function randomSequences(seed: number, vocab: number, lengths: number[]): number[][] {
  const next = rng(seed);
  return lengths.map((n) => Array.from({ length: n }, () => Math.floor(next() * vocab)));
}

/**
 * Checks d(loss)/d(θ_i) for every parameter: the tape's gradient against the
 * central difference (L(θ + ε) − L(θ − ε)) / 2ε. With ε = 1e-3 the float32
 * forward pass rounds the difference to about 1e-5, far inside the tolerance.
 */
function checkGradients(params: Params, loss: (tape: Tape | null) => number): number {
  params.grads.fill(0);
  const tape = new Tape();
  expect(Number.isFinite(loss(tape))).toBe(true);
  tape.backward();
  const analytic = Float64Array.from(params.grads);
  const eps = 1e-3;
  const failures: string[] = [];
  let offset = 0;
  let largest = 0;
  for (const spec of params.specs) {
    const size = spec.rows * spec.cols;
    for (let i = offset; i < offset + size; i++) {
      const saved = params.values[i]!;
      params.values[i] = saved + eps;
      const up = loss(null);
      params.values[i] = saved - eps;
      const down = loss(null);
      params.values[i] = saved;
      const numeric = (up - down) / (2 * eps);
      const exact = analytic[i]!;
      largest = Math.max(largest, Math.abs(exact));
      if (Math.abs(numeric - exact) > 1e-4 + 1e-2 * Math.abs(exact)) failures.push(`${spec.name}[${i - offset}]: backward ${exact}, finite difference ${numeric}`);
    }
    offset += size;
  }
  expect(failures).toEqual([]);
  // A gradient of zeros would pass trivially; these are not.
  expect(largest).toBeGreaterThan(1e-2);
  return offset;
}

describe('the backward pass', () => {
  it('matches finite differences for every tensor of the decoder-only model', () => {
    const params = Params.init(decoder, 1);
    const inputs = pack(randomSequences(2, decoder.vocab, [5, 3, 6]));
    const targets = new Int32Array(inputs.ids.length).map((_, i) => (i % 4 === 3 ? -1 : (i * 7) % decoder.vocab));
    expect(checkGradients(params, (tape) => decoderForward(tape, params, inputs, targets).loss)).toBe(params.values.length);
  });

  it('matches finite differences for every tensor of the encoder-decoder model', () => {
    const params = Params.init(seq2seq, 3);
    const source = pack(randomSequences(4, seq2seq.sourceVocab, [4, 5, 2]));
    const target = pack(randomSequences(5, seq2seq.targetVocab, [6, 3, 4]));
    const targets = new Int32Array(target.ids.length).map((_, i) => (i * 5 + 1) % seq2seq.targetVocab);
    expect(checkGradients(params, (tape) => seq2seqForward(tape, params, source, target, targets).loss)).toBe(params.values.length);
  });

  it('matches finite differences with the attention-entropy penalty on, and the penalty adds to the loss', () => {
    const params = Params.init({ ...decoder, dFF: 0 }, 11);
    const inputs = pack(randomSequences(12, decoder.vocab, [5, 4]));
    const targets = new Int32Array(inputs.ids.length).map((_, i) => (i * 3) % decoder.vocab);
    const plain = decoderForward(null, params, inputs, targets).loss;
    const penalised = decoderForward(null, params, inputs, targets, { attentionEntropy: 0.5 }).loss;
    expect(penalised).toBeGreaterThan(plain);
    expect(checkGradients(params, (tape) => decoderForward(tape, params, inputs, targets, { attentionEntropy: 0.5 }).loss)).toBe(params.values.length);
    const s2s = Params.init({ ...seq2seq, dFF: 0, decoderLayers: 1 }, 13);
    const source = pack(randomSequences(14, seq2seq.sourceVocab, [4, 3]));
    const target = pack(randomSequences(15, seq2seq.targetVocab, [3, 5]));
    const t = new Int32Array(target.ids.length).map((_, i) => (i * 2 + 1) % seq2seq.targetVocab);
    expect(checkGradients(s2s, (tape) => seq2seqForward(tape, s2s, source, target, t, { attentionEntropy: 0.5 }).loss)).toBe(s2s.values.length);
  });

  it('keeps sequences of a packed batch apart: one sequence’s tokens do not move another’s loss', () => {
    const params = Params.init(decoder, 7);
    const [a, b] = randomSequences(8, decoder.vocab, [4, 5]);
    const alone = decoderForward(null, params, pack([a!]), Int32Array.from([1, 2, 3, 4])).logits;
    const together = decoderForward(null, params, pack([a!, b!]), Int32Array.from([1, 2, 3, 4, -1, -1, -1, -1, -1])).logits;
    const changed = decoderForward(null, params, pack([a!, b!.map((t) => (t + 1) % decoder.vocab)]), Int32Array.from([1, 2, 3, 4, -1, -1, -1, -1, -1])).logits;
    expect(Array.from(together.subarray(0, alone.length))).toEqual(Array.from(alone));
    expect(Array.from(changed.subarray(0, alone.length))).toEqual(Array.from(alone));
  });
});
