/**
 * The √d_k demo's one computation, shared by the build (which renders the
 * first state) and the browser: draw random queries and keys at a width d_k,
 * ask the engine for attention with and without the division by √d_k, and
 * read the weights with the stats helpers. Nothing here computes attention.
 */
import type { Engine, Tensor } from '@attention-guide/attention';
import { spread, weightStats, type RowStats } from '@attention-guide/attention/stats';
import { randn, zeros } from '@attention-guide/attention/tensor';
import { shortest } from '../../lib/float32';

/** Queries and keys per draw: n = 128 rows of weights to average over, m = 16 keys in each row. */
export const QUERIES = 128;
export const KEYS = 16;

/** The widths the slider offers: powers of two from 1 to 1024. */
export const WIDTHS = Array.from({ length: 11 }, (_, i) => 2 ** i);

/** The first state: the base Transformer's head width, with the division, the first draw. */
export const DEFAULT_SETTING: Setting = { dk: 64, divisor: true, seed: 1, source: 'random' };

/** A row counts as saturated when one key takes more than this share of its weight. */
export const SATURATED = 0.99;

export interface Setting {
  dk: number;
  divisor: boolean;
  /** Which draw: the same seed gives the same queries and keys on every backend. */
  seed: number;
  /** Random queries and keys, or the trained decoder's (whose d_k is fixed). */
  source: 'random' | 'model';
}

/** The trained decoder's queries and keys on one sentence: every head of every layer. */
export interface ModelHeads {
  dk: number;
  /** The tokens the keys belong to, <bos> first. */
  tokens: string[];
  heads: Array<{ name: string; head: number; queries: Tensor; keys: Tensor }>;
}

/** What the weights of all n rows look like under one choice of divisor. */
export interface Summary {
  /** Standard deviation of the scores fed to the softmax (after any division). */
  std: number;
  /** Mean over rows of each row's entropy, in nats (at most ln m). */
  entropy: number;
  /** Mean over rows of each row's largest weight. */
  max: number;
  /** Mean over rows of the largest entry of each row's softmax Jacobian (at most 1/4). */
  jacobian: number;
  /** Median over rows of the same: the typical query, which a few unsaturated rows do not pull up. */
  jacobianMedian: number;
  /** Rows whose largest weight is above SATURATED. */
  saturated: number;
}

export interface ScalingView extends Setting {
  /** The state the reader chose (divided or not). */
  shown: Summary;
  /** The other choice of divisor on the same draw, for the comparison. */
  other: Summary;
  /** Rows of weights summarised, and keys in each row. */
  queries: number;
  keys: number;
  /** The row drawn key by key: whose it is, its scores as fed to the softmax, its weights. */
  rowLabel: string;
  /** Names of the keys for the model's row (random keys are numbered). */
  keyLabels?: string[];
  rowScores: number[];
  rowWeights: number[];
}


function summarise(scaled: Tensor, weights: Tensor): Summary {
  const rows: RowStats[] = weightStats(weights);
  const mean = (pick: (r: RowStats) => number) => rows.reduce((sum, r) => sum + pick(r), 0) / rows.length;
  const jacobians = rows.map((r) => r.jacobianMax).sort((a, b) => a - b);
  const middle = jacobians.length / 2;
  const median = jacobians.length % 2 ? jacobians[Math.floor(middle)]! : (jacobians[middle - 1]! + jacobians[middle]!) / 2;
  return {
    std: shortest(spread(scaled).std),
    entropy: shortest(mean((r) => r.entropy)),
    max: shortest(mean((r) => r.max)),
    jacobian: shortest(mean((r) => r.jacobianMax)),
    jacobianMedian: shortest(median),
    saturated: rows.filter((r) => r.max > SATURATED).length,
  };
}

/**
 * One draw at width d_k: Q (n × d_k) and K (m × d_k) with independent
 * standard normal components, as in the paper's footnote 4. The values do
 * not matter here (only the weights are shown), so V is a column of zeros.
 */
export async function scalingView(engine: Engine, setting: Setting, model?: ModelHeads): Promise<ScalingView> {
  if (setting.source === 'model') {
    if (!model) throw new Error('The trained model’s queries and keys are not loaded.');
    return modelView(engine, setting, model);
  }
  const { dk, divisor, seed } = setting;
  if (!WIDTHS.includes(dk)) throw new RangeError(`d_k must be one of ${WIDTHS.join(', ')}; got ${dk}.`);
  const q = randn([QUERIES, dk], 2 * seed + 1);
  const k = randn([KEYS, dk], 2 * seed + 2);
  const v = zeros([KEYS, 1]);
  const run = (divide: boolean) => engine.attention(q, k, v, { stages: true, scale: divide ? 1 / Math.sqrt(dk) : 1 });
  // Both in flight at once: one round trip to the backend instead of two.
  const [shownRun, otherRun] = await Promise.all([run(divisor), run(!divisor)]);
  const shown = shownRun.stages!;
  const other = otherRun.stages!;
  return {
    ...setting,
    shown: summarise(shown.scaled, shown.weights),
    other: summarise(other.scaled, other.weights),
    queries: QUERIES,
    keys: KEYS,
    rowLabel: 'The first query',
    rowScores: Array.from(shown.scaled.data.subarray(0, KEYS), shortest),
    rowWeights: Array.from(shown.weights.data.subarray(0, KEYS), shortest),
  };
}

/** Rows stacked into one matrix: [a rows + b rows + …, cols]. */
function stack(parts: Tensor[]): Tensor {
  const cols = parts[0]!.shape[1]!;
  const data = new Float32Array(parts.reduce((n, t) => n + t.data.length, 0));
  let offset = 0;
  for (const t of parts) {
    data.set(t.data, offset);
    offset += t.data.length;
  }
  return { data, shape: [data.length / cols, cols] };
}

/** The query of "it" in the first head: the row the chapter's sentence is about. */
const MODEL_ROW_TOKEN = 'it';

/**
 * The trained decoder's own queries and keys (d_k = 8), every query of the
 * sentence against every key of the same head, in every head: the scores a
 * trained model produces, with and without the division it was trained with.
 * (In the model a causal mask then hides later keys; the question here is
 * only what the division does to the spread, so every key is kept.)
 */
async function modelView(engine: Engine, setting: Setting, model: ModelHeads): Promise<ScalingView> {
  const { divisor } = setting;
  const m = model.tokens.length;
  const run = async (divide: boolean) => {
    const results = await Promise.all(
      model.heads.map((head) => engine.attention(head.queries, head.keys, zeros([m, 1]), { stages: true, scale: divide ? 1 / Math.sqrt(model.dk) : 1 })),
    );
    const stages = results.map((result) => result.stages!);
    return { scaled: stack(stages.map((s) => s.scaled)), weights: stack(stages.map((s) => s.weights)) };
  };
  const [shown, other] = await Promise.all([run(divisor), run(!divisor)]);
  const first = model.heads[0]!;
  const row = Math.max(0, model.tokens.indexOf(MODEL_ROW_TOKEN));
  return {
    ...setting,
    dk: model.dk,
    shown: summarise(shown.scaled, shown.weights),
    other: summarise(other.scaled, other.weights),
    queries: shown.weights.shape[0]!,
    keys: m,
    rowLabel: `The query of “${model.tokens[row]}” (${first.name.replace('.self', '')}, head ${first.head})`,
    keyLabels: model.tokens,
    rowScores: Array.from(shown.scaled.data.subarray(row * m, (row + 1) * m), shortest),
    rowWeights: Array.from(shown.weights.data.subarray(row * m, (row + 1) * m), shortest),
  };
}
