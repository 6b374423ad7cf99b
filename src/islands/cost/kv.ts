/**
 * "Heads sharing keys and values": a small multi-head attention run at a
 * chosen number of key/value heads, and the KV-cache calculator. The run goes
 * through the engine (multiHeadAttention with kvHeads); the shared key and
 * value projections are made from the multi-head ones by mean-pooling each
 * group's heads, the conversion Ainslie et al. 2023 (§2.2) describe. The
 * calculator is the formula in src/lib/sizes.ts.
 */
import { randn, type Engine, type Tensor } from '@attention-guide/attention';
import { BYTES_PER_ELEMENT, MODELS, kvCacheBytes, type AttentionConfig, type Precision } from '../../lib/sizes';
import { parseWhole, type Parsed } from './cost';

/** The small instance: 8 query heads of width 4 over 6 tokens. */
export const QUERY_HEADS = 8;
export const HEAD_WIDTH = 4;
export const D_MODEL = QUERY_HEADS * HEAD_WIDTH;
export const TOKENS = 6;
/** Multi-head, two steps of grouped-query, multi-query. */
export const KV_CHOICES = [8, 4, 2, 1] as const;
const SEED = 2023;

export interface KvRun {
  kvHeads: number;
  /** The last token's weights in every query head: QUERY_HEADS × TOKENS, row-major. */
  lastRow: number[];
  /** The last token's output, D_MODEL numbers. */
  output: number[];
  /** The largest difference of any output number from the multi-head run's. */
  maxDiff: number;
}

/** Columns of [D_MODEL, QUERY_HEADS × HEAD_WIDTH] averaged over each group of heads: [D_MODEL, kvHeads × HEAD_WIDTH]. */
export function poolHeads(w: Tensor, kvHeads: number): Tensor {
  const group = QUERY_HEADS / kvHeads;
  const cols = kvHeads * HEAD_WIDTH;
  const out = new Float32Array(D_MODEL * cols);
  for (let r = 0; r < D_MODEL; r++) {
    for (let g = 0; g < kvHeads; g++) {
      for (let c = 0; c < HEAD_WIDTH; c++) {
        let sum = 0;
        for (let h = g * group; h < (g + 1) * group; h++) sum += w.data[r * D_MODEL + h * HEAD_WIDTH + c]!;
        out[r * cols + g * HEAD_WIDTH + c] = sum / group;
      }
    }
  }
  return { data: out, shape: [D_MODEL, cols] };
}

function instance() {
  const scale = 1 / Math.sqrt(D_MODEL);
  return {
    x: randn([TOKENS, D_MODEL], SEED),
    wq: randn([D_MODEL, D_MODEL], SEED + 1, scale),
    wk: randn([D_MODEL, D_MODEL], SEED + 2, scale),
    wv: randn([D_MODEL, D_MODEL], SEED + 3, scale),
    wo: randn([D_MODEL, D_MODEL], SEED + 4, scale),
  };
}

/** Runs the instance with kvHeads key/value heads and with QUERY_HEADS of them, on the engine. */
export async function kvRun(engine: Engine, kvHeads: number): Promise<KvRun> {
  if (!(KV_CHOICES as readonly number[]).includes(kvHeads)) throw new RangeError(`kvHeads must be one of ${KV_CHOICES.join(', ')}`);
  const { x, wq, wk, wv, wo } = instance();
  const run = (k: number) => engine.multiHeadAttention(x, x, { wq, wk: poolHeads(wk, k), wv: poolHeads(wv, k), wo }, { heads: QUERY_HEADS, kvHeads: k, mask: { kind: 'causal' } });
  const [shared, full] = await Promise.all([run(kvHeads), run(QUERY_HEADS)]);
  const last = TOKENS - 1;
  const lastRow = shared.weights.flatMap((w) => Array.from(w.data.subarray(last * TOKENS, (last + 1) * TOKENS)));
  let maxDiff = 0;
  for (let i = 0; i < shared.output.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(shared.output.data[i]! - full.output.data[i]!));
  return { kvHeads, lastRow, output: Array.from(shared.output.data.subarray(last * D_MODEL, (last + 1) * D_MODEL)), maxDiff };
}

/** Presets for the calculator, from src/lib/sizes.ts (each with its source). */
export const PRESETS = {
  llama2_7b: { name: MODELS.llama2_7b.name, config: MODELS.llama2_7b, source: MODELS.llama2_7b.source },
  llama2_70b: { name: MODELS.llama2_70b.name, config: MODELS.llama2_70b, source: MODELS.llama2_70b.source },
  llama2_70b_mha: { name: `${MODELS.llama2_70b.name} if it had 64 KV heads`, config: { ...MODELS.llama2_70b, kvHeads: 64 }, source: MODELS.llama2_70b.source },
} as const satisfies Record<string, { name: string; config: AttentionConfig; source: string }>;
export type PresetKey = keyof typeof PRESETS;

export interface CacheSetting {
  layers: number;
  kvHeads: number;
  headDim: number;
  tokens: number;
  batch: number;
  precision: Precision;
}

export const CACHE_LIMITS = { layers: 1024, kvHeads: 1024, headDim: 1024, tokens: 10_000_000, batch: 4096 } as const;
const CACHE_NAMES: Record<keyof typeof CACHE_LIMITS, string> = {
  layers: 'Layers',
  kvHeads: 'KV heads',
  headDim: 'Head width',
  tokens: 'Tokens',
  batch: 'Batch',
};

export function presetSetting(key: PresetKey, tokens = 4096, batch = 1, precision: Precision = 'fp16'): CacheSetting {
  const { layers, kvHeads, headDim } = PRESETS[key].config;
  return { layers, kvHeads, headDim, tokens, batch, precision };
}

/** The typed fields as a setting, or the first field's problem. Sizes past 2^53 bytes (no longer exact in a double) are refused. */
export function parseCache(fields: Record<keyof typeof CACHE_LIMITS, string>, precision: Precision): { ok: true; setting: CacheSetting } | { ok: false; message: string } {
  const values: Partial<Record<keyof typeof CACHE_LIMITS, number>> = {};
  for (const key of Object.keys(CACHE_LIMITS) as (keyof typeof CACHE_LIMITS)[]) {
    const parsed: Parsed = parseWhole(fields[key], CACHE_NAMES[key], 1, CACHE_LIMITS[key]);
    if (!parsed.ok) return parsed;
    values[key] = parsed.value;
  }
  const setting = { ...(values as Record<keyof typeof CACHE_LIMITS, number>), precision };
  if (cacheOf(setting).total > Number.MAX_SAFE_INTEGER) return { ok: false, message: 'That cache would be over 8 PiB, too large to count to the byte; choose smaller numbers.' };
  return { ok: true, setting };
}

export function cacheOf(s: CacheSetting): { perToken: number; total: number } {
  const config = { layers: s.layers, heads: s.kvHeads, kvHeads: s.kvHeads, headDim: s.headDim };
  return { perToken: kvCacheBytes(config, 1, { precision: s.precision }), total: kvCacheBytes(config, s.tokens, { batch: s.batch, precision: s.precision }) };
}

export { BYTES_PER_ELEMENT };
