import type { Batch, BatchResult } from './batch';
import type { Tensor } from './tensor';

/**
 * Which keys a query may see. Row i is query i, column j is key j; a mask
 * allows or forbids each (i, j). Masked scores become -Infinity before the
 * softmax, so their weights are exactly 0.
 */
export type MaskSpec =
  | { kind: 'none' }
  /** j <= i (with n != m, query i is aligned to the last n keys: j <= i + m - n). */
  | { kind: 'causal' }
  /** Causal, and only the last `window` keys: i - window < j <= i. */
  | { kind: 'sliding-window'; window: number }
  /** Child et al. 2019 strided pattern: causal, and j within the last `stride` positions or (i - j) a multiple of `stride`. */
  | { kind: 'strided'; stride: number }
  /** Child et al. 2019 fixed pattern: causal, and j in i's block of `stride`, or j among the last `summary` positions of its block. */
  | { kind: 'fixed'; stride: number; summary: number }
  /** Any pattern: allowed[i * m + j] is 1 where query i may see key j. */
  | { kind: 'boolean'; allowed: Uint8Array };

export interface SoftmaxOptions {
  /** Multiplies the logits first (1/sqrt(d_k) in attention). Default 1. */
  scale?: number;
  /** Divides the logits (after scale). Default 1. */
  temperature?: number;
}

export interface AttentionOptions {
  mask?: MaskSpec;
  /** Multiplies Q·Kᵀ. Default 1/sqrt(d_k). */
  scale?: number;
  /** Return every stage, not only the output. Default false. */
  stages?: boolean;
}

/** Every stage of softmax(mask(Q·Kᵀ · scale))·V, each n × m except the output (n × d_v). */
export interface AttentionStages {
  scores: Tensor;
  scaled: Tensor;
  masked: Tensor;
  weights: Tensor;
}

export interface AttentionResult {
  output: Tensor;
  stages?: AttentionStages;
}

/** Projection weights of one multi-head attention layer, each [d_model, width]. */
export interface MultiHeadWeights {
  /** [d_model, heads * d_k] */
  wq: Tensor;
  /** [d_model, kvHeads * d_k] */
  wk: Tensor;
  /** [d_model, kvHeads * d_v] */
  wv: Tensor;
  /** [heads * d_v, d_model] */
  wo: Tensor;
}

export interface MultiHeadOptions {
  heads: number;
  /** Key/value heads; must divide `heads`. Default `heads` (multi-head); 1 is multi-query. */
  kvHeads?: number;
  mask?: MaskSpec;
}

export interface MultiHeadResult {
  /** [n, d_model] */
  output: Tensor;
  /** One [n, m] weight matrix per query head. */
  weights: Tensor[];
  /** [n, heads * d_v], before W_O. */
  concatenated: Tensor;
}

export interface FlashOptions {
  /** B_r: query rows per block. */
  blockRows: number;
  /** B_c: key/value rows per block. */
  blockCols: number;
  mask?: MaskSpec;
  scale?: number;
}

/**
 * Memory traffic of one attention forward pass, in elements (not bytes), in
 * the model of Dao et al. 2022: "HBM" is device memory, "SRAM" on-chip memory.
 */
export interface Traffic {
  hbmReads: number;
  hbmWrites: number;
  /** Largest number of elements held on chip at once. */
  sramPeak: number;
}

export interface FlashResult {
  output: Tensor;
  traffic: Traffic;
  /** The same counts for the standard, untiled algorithm (Algorithm 0) on the same problem. */
  standardTraffic: Traffic;
}

/** What a compute backend is, and why it was chosen. */
export type BackendInfo =
  | { kind: 'webgpu'; adapter: string; software: boolean }
  | { kind: 'cpu'; reason: string };

/**
 * One compute backend. The engine validates every input before it calls a
 * backend, so backends may assume well-formed, finite inputs.
 */
export interface Backend {
  readonly info: BackendInfo;
  /** a · b, or a · bᵀ with transposeB. */
  matmul(a: Tensor, b: Tensor, options?: { transposeB?: boolean }): Promise<Tensor>;
  /** Row-wise softmax over the last dimension of a matrix. */
  softmax(x: Tensor, options?: SoftmaxOptions): Promise<Tensor>;
  /** Scaled dot-product attention for one head: q [n, d_k], k [m, d_k], v [m, d_v]. */
  attention(q: Tensor, k: Tensor, v: Tensor, options?: AttentionOptions): Promise<AttentionResult>;
  /** The tiled pass with online softmax; same output as attention() within rounding. */
  flashAttention(q: Tensor, k: Tensor, v: Tensor, options: FlashOptions): Promise<Tensor>;
  /** A batch in one go (WebGPU: one submission, one readback). Without it, the engine runs the batch op by op. */
  run?(batch: Batch): Promise<BatchResult>;
  /** Frees buffers, pipelines and workers. */
  dispose(): void;
}
