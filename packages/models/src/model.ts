/**
 * The two tiny transformers: their shapes, their parameters (one flat
 * float32 array, named slices of it) and the training forward pass, which
 * records its gradients on a tape.
 *
 * Both are pre-norm transformers (Xiong et al. 2020): each block adds
 * attention(LayerNorm(x)) and then MLP(LayerNorm(x)) to the residual stream,
 * with a GELU MLP, learned absolute positions, no biases in the attention
 * projections and the output layer tied to the input embedding.
 */

import { rng } from '@attention-guide/attention/tensor';
import { add, attention, embed, geluVar, layerNorm, linear, makeVar, Tape, tiedCrossEntropy, type EntropyPenalty, type HeadWeights, type Span, type Var } from './autograd';

export interface DecoderConfig {
  kind: 'decoder';
  vocab: number;
  dModel: number;
  heads: number;
  layers: number;
  /** Width of each block's MLP; 0 for an attention-only model (no MLP at all). */
  dFF: number;
  /** Most tokens one input may hold, <bos> included. */
  maxLength: number;
}

export interface Seq2SeqConfig {
  kind: 'encoder-decoder';
  sourceVocab: number;
  targetVocab: number;
  dModel: number;
  heads: number;
  encoderLayers: number;
  decoderLayers: number;
  dFF: number;
  maxSourceLength: number;
  /** <bos> included. */
  maxTargetLength: number;
}

export type ModelConfig = DecoderConfig | Seq2SeqConfig;

type Init = 'embedding' | 'position' | 'linear' | 'residual' | 'zeros' | 'ones';

export interface ParamSpec {
  name: string;
  rows: number;
  cols: number;
  init: Init;
}

/** Every parameter of a model, in storage order. */
export function paramSpecs(config: ModelConfig): ParamSpec[] {
  const d = config.dModel;
  const specs: ParamSpec[] = [];
  const p = (name: string, rows: number, cols: number, init: Init) => specs.push({ name, rows, cols, init });
  const norm = (prefix: string) => {
    p(`${prefix}.gain`, 1, d, 'ones');
    p(`${prefix}.bias`, 1, d, 'zeros');
  };
  const attn = (prefix: string) => {
    for (const w of ['wq', 'wk', 'wv']) p(`${prefix}.${w}`, d, d, 'linear');
    p(`${prefix}.wo`, d, d, 'residual');
  };
  const mlp = (prefix: string) => {
    if (config.dFF === 0) return;
    p(`${prefix}.w1`, d, config.dFF, 'linear');
    p(`${prefix}.b1`, 1, config.dFF, 'zeros');
    p(`${prefix}.w2`, config.dFF, d, 'residual');
    p(`${prefix}.b2`, 1, d, 'zeros');
  };
  const selfBlock = (prefix: string) => {
    norm(`${prefix}.norm1`);
    attn(`${prefix}.self`);
    if (config.dFF > 0) norm(`${prefix}.norm2`);
    mlp(`${prefix}.mlp`);
  };
  if (config.kind === 'decoder') {
    p('embed', config.vocab, d, 'embedding');
    p('pos', config.maxLength, d, 'position');
    for (let l = 0; l < config.layers; l++) selfBlock(`layer${l}`);
    norm('final');
  } else {
    p('src.embed', config.sourceVocab, d, 'embedding');
    p('src.pos', config.maxSourceLength, d, 'position');
    for (let l = 0; l < config.encoderLayers; l++) selfBlock(`enc${l}`);
    norm('enc.final');
    p('tgt.embed', config.targetVocab, d, 'embedding');
    p('tgt.pos', config.maxTargetLength, d, 'position');
    for (let l = 0; l < config.decoderLayers; l++) {
      norm(`dec${l}.norm1`);
      attn(`dec${l}.self`);
      norm(`dec${l}.norm2`);
      attn(`dec${l}.cross`);
      if (config.dFF > 0) norm(`dec${l}.norm3`);
      mlp(`dec${l}.mlp`);
    }
    norm('final');
  }
  return specs;
}

export function parameterCount(config: ModelConfig): number {
  return paramSpecs(config).reduce((sum, s) => sum + s.rows * s.cols, 0);
}

/** A model's parameters and gradients, each one flat array; `vars` are named views into both. */
export class Params {
  readonly specs: ParamSpec[];
  readonly values: Float32Array;
  readonly grads: Float32Array;
  readonly vars = new Map<string, Var>();

  constructor(readonly config: ModelConfig, values?: Float32Array) {
    this.specs = paramSpecs(config);
    const size = parameterCount(config);
    if (values && values.length !== size) throw new RangeError(`This model has ${size} parameters; the weights hold ${values.length}.`);
    this.values = values ?? new Float32Array(size);
    this.grads = new Float32Array(size);
    let offset = 0;
    for (const s of this.specs) {
      const n = s.rows * s.cols;
      this.vars.set(s.name, makeVar(s.rows, s.cols, this.values.subarray(offset, offset + n), this.grads.subarray(offset, offset + n)));
      offset += n;
    }
  }

  get(name: string): Var {
    const v = this.vars.get(name);
    if (!v) throw new Error(`No parameter named ${name}.`);
    return v;
  }

  /** Fresh weights from a seed: normal(0, 0.1) token embeddings, sinusoidal positions, normal(0, 1/√fan-in) projections, residual outputs scaled by 1/√(2·layers). */
  static init(config: ModelConfig, seed: number): Params {
    const params = new Params(config);
    const next = rng(seed);
    const normal = () => {
      const u = Math.max(next(), 1e-12);
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    };
    const depth = config.kind === 'decoder' ? config.layers : config.encoderLayers + config.decoderLayers;
    for (const s of params.specs) {
      const v = params.get(s.name).value;
      if (s.init === 'position') {
        // Learned, but starting from the sinusoids of Vaswani et al. 2017 (scaled to the token
        // embeddings' size): a fixed offset such as "the previous token" is then a linear map from
        // the start, so heads can find one by relative position, wherever the sentence begins.
        for (let pos = 0; pos < s.rows; pos++) {
          for (let i = 0; i < s.cols; i += 2) {
            const angle = pos / 10000 ** (i / s.cols);
            v[pos * s.cols + i] = 0.1 * Math.sin(angle);
            if (i + 1 < s.cols) v[pos * s.cols + i + 1] = 0.1 * Math.cos(angle);
          }
        }
        continue;
      }
      const std = s.init === 'embedding' ? 0.1 : s.init === 'linear' ? 1 / Math.sqrt(s.rows) : s.init === 'residual' ? 1 / Math.sqrt(s.rows * 2 * depth) : 0;
      for (let i = 0; i < v.length; i++) v[i] = s.init === 'ones' ? 1 : std * normal();
    }
    return params;
  }
}

/** A packed batch: every sequence's tokens one after another, and where each begins. */
export interface Packed {
  ids: Int32Array;
  spans: Span[];
}

export function pack(sequences: readonly (readonly number[])[]): Packed {
  const total = sequences.reduce((sum, s) => sum + s.length, 0);
  const ids = new Int32Array(total);
  const spans: Span[] = [];
  let start = 0;
  for (const s of sequences) {
    ids.set(s, start);
    spans.push({ start, length: s.length });
    start += s.length;
  }
  return { ids, spans };
}

/** Attention weights kept by a forward pass: layer name ("layer0.self", "dec1.cross", …) → [sequence][head]. */
export type AttentionMaps = Map<string, HeadWeights[][]>;

export interface ForwardResult {
  loss: number;
  /** [tokens, vocab], row-major, for the packed target rows. */
  logits: Float32Array;
  attention: AttentionMaps;
}

/** Training options of a forward pass. */
export interface ForwardOptions {
  /**
   * Weight of the mean attention entropy (nats per row, over every row of
   * every head of every layer) added to the loss. 0 (the default) adds none.
   */
  attentionEntropy?: number;
}

/** A penalty for one attention call of `rows` queries, so that all calls together add weight × the mean entropy per row. */
function track(list: EntropyPenalty[], options: ForwardOptions, rows: number, heads: number, calls: number): EntropyPenalty | undefined {
  const weight = options.attentionEntropy ?? 0;
  if (weight === 0) return undefined;
  const penalty = { perRow: weight / (rows * heads * calls), total: 0 };
  list.push(penalty);
  return penalty;
}

function block(tape: Tape | null, params: Params, prefix: string, x: Var, spans: Span[], heads: number, causal: boolean, maps: AttentionMaps, pen: (rows: number) => EntropyPenalty | undefined, cross?: { memory: Var; spans: Span[] }): Var {
  const selfNorm = layerNorm(tape, x, params.get(`${prefix}.norm1.gain`), params.get(`${prefix}.norm1.bias`));
  x = add(tape, x, attentionLayer(tape, params, `${prefix}.self`, selfNorm, selfNorm, spans, spans, heads, causal, maps, pen(x.rows)));
  let mlpNorm = 'norm2';
  if (cross) {
    const crossNorm = layerNorm(tape, x, params.get(`${prefix}.norm2.gain`), params.get(`${prefix}.norm2.bias`));
    x = add(tape, x, attentionLayer(tape, params, `${prefix}.cross`, crossNorm, cross.memory, spans, cross.spans, heads, false, maps, pen(x.rows)));
    mlpNorm = 'norm3';
  }
  if ((params.config as ModelConfig).dFF === 0) return x;
  const h = layerNorm(tape, x, params.get(`${prefix}.${mlpNorm}.gain`), params.get(`${prefix}.${mlpNorm}.bias`));
  const hidden = geluVar(tape, linear(tape, h, params.get(`${prefix}.mlp.w1`), params.get(`${prefix}.mlp.b1`)));
  return add(tape, x, linear(tape, hidden, params.get(`${prefix}.mlp.w2`), params.get(`${prefix}.mlp.b2`)));
}

function attentionLayer(
  tape: Tape | null,
  params: Params,
  prefix: string,
  xq: Var,
  xkv: Var,
  qSpans: Span[],
  kvSpans: Span[],
  heads: number,
  causal: boolean,
  maps: AttentionMaps,
  entropy: EntropyPenalty | undefined,
): Var {
  const q = linear(tape, xq, params.get(`${prefix}.wq`));
  const k = linear(tape, xkv, params.get(`${prefix}.wk`));
  const v = linear(tape, xkv, params.get(`${prefix}.wv`));
  const weights: HeadWeights[][] = [];
  const mixed = attention(tape, q, k, v, qSpans, kvSpans, heads, causal ? { kind: 'causal' } : { kind: 'none' }, weights, entropy);
  maps.set(prefix, weights);
  return linear(tape, mixed, params.get(`${prefix}.wo`));
}

/**
 * The decoder-only model on a packed batch of inputs (<bos> w1 … wn), scored
 * against targets (w1 … wn <eos>; −1 skips a position). With a tape, the
 * backward pass is recorded: call tape.backward() to fill params.grads.
 */
export function decoderForward(tape: Tape | null, params: Params, input: Packed, targets: Int32Array, options: ForwardOptions = {}): ForwardResult {
  const config = params.config as DecoderConfig;
  const maps: AttentionMaps = new Map();
  const entropy: EntropyPenalty[] = [];
  const pen = (rows: number) => track(entropy, options, rows, config.heads, config.layers);
  const table = params.get('embed');
  let x = embed(tape, table, params.get('pos'), input.ids, input.spans);
  for (let l = 0; l < config.layers; l++) x = block(tape, params, `layer${l}`, x, input.spans, config.heads, true, maps, pen);
  const out = layerNorm(tape, x, params.get('final.gain'), params.get('final.bias'));
  const { loss, logits } = tiedCrossEntropy(tape, out, table, targets);
  return { loss: loss + entropy.reduce((sum, e) => sum + e.total, 0), logits, attention: maps };
}

/** The encoder-decoder model: source sentences in, target inputs (<bos> f1 … fm) scored against (f1 … fm <eos>). */
export function seq2seqForward(tape: Tape | null, params: Params, source: Packed, target: Packed, targets: Int32Array, options: ForwardOptions = {}): ForwardResult {
  const config = params.config as Seq2SeqConfig;
  const maps: AttentionMaps = new Map();
  const entropy: EntropyPenalty[] = [];
  const pen = (rows: number) => track(entropy, options, rows, config.heads, config.encoderLayers + 2 * config.decoderLayers);
  let s = embed(tape, params.get('src.embed'), params.get('src.pos'), source.ids, source.spans);
  for (let l = 0; l < config.encoderLayers; l++) s = block(tape, params, `enc${l}`, s, source.spans, config.heads, false, maps, pen);
  const memory = layerNorm(tape, s, params.get('enc.final.gain'), params.get('enc.final.bias'));
  const table = params.get('tgt.embed');
  let x = embed(tape, table, params.get('tgt.pos'), target.ids, target.spans);
  for (let l = 0; l < config.decoderLayers; l++) {
    x = block(tape, params, `dec${l}`, x, target.spans, config.heads, true, maps, pen, { memory, spans: source.spans });
  }
  const out = layerNorm(tape, x, params.get('final.gain'), params.get('final.bias'));
  const { loss, logits } = tiedCrossEntropy(tape, out, table, targets);
  return { loss: loss + entropy.reduce((sum, e) => sum + e.total, 0), logits, attention: maps };
}

export { Tape };
