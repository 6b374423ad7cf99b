/**
 * Memory arithmetic the guide states in prose. Every figure in the chapters
 * that is a size is computed here at build time, so the text and the tests
 * cannot drift apart.
 */

// One formatter each for the chapters' sizes and counts, shared with the engine's messages.
export { formatBytes, formatCount } from '@attention-guide/attention/format';

/** Bytes per element for the precisions the guide discusses. */
export const BYTES_PER_ELEMENT = { fp32: 4, fp16: 2, bf16: 2, fp8: 1 } as const;
export type Precision = keyof typeof BYTES_PER_ELEMENT;

/** Bytes of one n × m score (or weight) matrix: one head, one layer. */
export function scoreMatrixBytes(n: number, precision: Precision, m: number = n): number {
  return n * m * BYTES_PER_ELEMENT[precision];
}

/** The shape of a decoder's attention that decides the size of its KV cache. */
export interface AttentionConfig {
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
}

/**
 * KV-cache size = 2 (keys and values) × layers × kv_heads × head_dim
 * × tokens × batch × bytes per element.
 */
export function kvCacheBytes(
  config: AttentionConfig,
  tokens: number,
  { batch = 1, precision = 'fp16' as Precision } = {},
): number {
  return 2 * config.layers * config.kvHeads * config.headDim * tokens * batch * BYTES_PER_ELEMENT[precision];
}

/**
 * Published configurations. Each carries the source it comes from; change a
 * number only together with its source.
 */
export const MODELS = {
  llama2_7b: {
    name: 'Llama 2 7B',
    layers: 32,
    heads: 32,
    kvHeads: 32,
    headDim: 128,
    source: 'meta-llama/Llama-2-7b-hf config.json (32 layers, 32 heads, 32 KV heads, hidden size 4096); Touvron et al. 2023, "Llama 2", Table 1 (no GQA at 7B)',
  },
  llama2_70b: {
    name: 'Llama 2 70B',
    layers: 80,
    heads: 64,
    kvHeads: 8,
    headDim: 128,
    source: 'meta-llama/Llama-2-70b-hf config.json (80 layers, 64 heads, 8 KV heads, hidden size 8192); Touvron et al. 2023, "Llama 2", Table 1 (GQA at 34B and 70B)',
  },
  gpt3_175b: {
    name: 'GPT-3 175B',
    layers: 96,
    heads: 96,
    kvHeads: 96,
    headDim: 128,
    source: 'Brown et al. 2020, "Language Models are Few-Shot Learners", Table 2.1',
  },
  transformer_base: {
    name: 'Transformer (base)',
    layers: 6,
    heads: 8,
    kvHeads: 8,
    headDim: 64,
    source: 'Vaswani et al. 2017, "Attention Is All You Need", §3.2.2 and Table 3',
  },
} as const satisfies Record<string, AttentionConfig & { name: string; source: string }>;

/**
 * Memory of three devices the chapter measures sizes against. Makers state
 * memory in GB; for memory chips that means 2^30 bytes (the JEDEC usage), so
 * the bytes here are binary. Change a number only together with its source.
 */
export const DEVICES = {
  phone: {
    name: 'Google Pixel 8',
    kind: 'phone',
    bytes: 8 * 2 ** 30,
    stated: '8 GB RAM',
    source: 'Google Store, "Pixel 8 tech specs" (store.google.com/product/pixel_8_specs): 8 GB LPDDR5X RAM',
  },
  laptop: {
    name: 'MacBook Air 13-inch (M4, 2025)',
    kind: 'laptop',
    bytes: 16 * 2 ** 30,
    stated: '16 GB unified memory (base model)',
    source: 'Apple, "MacBook Air 13- and 15-inch with M4 – Tech Specs" (apple.com/macbook-air/specs/): 16 GB unified memory, configurable to 24 GB or 32 GB',
  },
  gpu: {
    name: 'NVIDIA H100 SXM',
    kind: 'data-centre GPU',
    bytes: 80 * 2 ** 30,
    stated: '80 GB HBM3',
    source: 'NVIDIA, "NVIDIA H100 Tensor Core GPU" datasheet: GPU memory 80 GB (H100 SXM and H100 PCIe)',
  },
} as const satisfies Record<string, { name: string; kind: string; bytes: number; stated: string; source: string }>;
