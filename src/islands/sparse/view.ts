/**
 * One head of the trained decoder on a longer passage, attended densely
 * (causal mask) and with a sparse pattern: the same code at build time (Node,
 * CPU engine) and in the reader's browser. The engine computes every stage;
 * this file picks the head, and packs a first state small enough for the
 * page's HTML.
 */
import type { Engine } from '@attention-guide/attention';
import { WEIGHT_STEPS, weightStep } from '../../lib/colour';
import type { DecoderHeads } from '../../lib/models';
import { patternCost, patternMask, type Cost, type Params, type Pattern } from './patterns';

/**
 * The passage the figure reads: the running sentence and two more of the
 * grammar the decoder was trained on (repetitions, whose second halves look
 * far back), 32 words and <bos>.
 */
export const PASSAGE = 'the cat sat on the mat because it was tired . tom saw the black dog and nina saw the black dog too . leo met anna and anna thanked leo .';

export interface SparseView {
  /** Token labels, <bos> first. */
  tokens: string[];
  layer: number;
  head: number;
  pattern: Pattern;
  params: Params;
  /** [n × n] the head's weights with the causal mask alone. */
  dense: Float32Array;
  /** [n × n] scores after the sparse mask: −∞ where the pattern does not score the pair. */
  masked: Float32Array;
  /** [n × n] the head's weights with the sparse mask: exactly 0 where masked. */
  sparse: Float32Array;
}

export async function sparseView(engine: Engine, heads: DecoderHeads, layer: number, head: number, pattern: Pattern, params: Params): Promise<SparseView> {
  const p = heads.projections.find((h) => h.name === `layer${layer}.self` && h.head === head);
  if (!p) throw new RangeError(`The decoder has no head ${head} in layer ${layer}.`);
  const n = heads.tokens.length;
  const [dense, sparse] = await Promise.all([
    engine.attention(p.queries, p.keys, p.values, { mask: { kind: 'causal' }, stages: true }),
    engine.attention(p.queries, p.keys, p.values, { mask: patternMask(pattern, params, n), stages: true }),
  ]);
  return { tokens: heads.tokens, layer, head, pattern, params, dense: dense.stages!.weights.data, masked: sparse.stages!.masked.data, sparse: sparse.stages!.weights.data };
}

/** Whether the sparse pattern scores pair (i, j): its masked score is finite. */
export const scores = (view: Pick<SparseView, 'masked' | 'tokens'>) => (i: number, j: number) => Number.isFinite(view.masked[i * view.tokens.length + j]!);

export function viewCost(view: SparseView): Cost {
  return patternCost(view.dense, scores(view), view.tokens.length);
}

/**
 * The first state for the page's HTML: each map as one character per cell,
 * its colour step (0 to WEIGHT_STEPS) or "~" where masked, which gzip packs
 * tightly; the exact numbers arrive when the browser computes. The cost is
 * the build's, from the exact weights.
 */
export interface FirstState extends Omit<SparseView, 'tokens' | 'dense' | 'masked' | 'sparse'> {
  /** The tokens, space-separated (none has a space). */
  tokens: string;
  dense: string;
  sparse: string;
  cost: Cost;
}

/** One letter per step (a to z, then A to G): nothing Astro escapes in the page's HTML. */
const STEP_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFG'.slice(0, WEIGHT_STEPS + 1);
const MASKED = '~';

export function encodeSteps(weights: ArrayLike<number>, allows: (i: number, j: number) => boolean, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out += allows(i, j) ? STEP_CHARS[weightStep(weights[i * n + j]!)] : MASKED;
  return out;
}

/** The map back from encodeSteps: each cell's step as a weight (step / WEIGHT_STEPS), NaN where masked. */
export function decodeSteps(text: string): Float32Array {
  return Float32Array.from(text, (c) => (c === MASKED ? NaN : STEP_CHARS.indexOf(c) / WEIGHT_STEPS));
}

export function firstState(view: SparseView): FirstState {
  const { tokens, dense, masked: _, sparse, ...rest } = view;
  const n = tokens.length;
  const cost = viewCost(view);
  // The lost pairs' weights to 4 decimals, twice what the figure prints: the page's HTML need not carry a float's 17 digits.
  const lost = cost.lost.map((pair) => ({ ...pair, weight: Math.round(pair.weight * 1e4) / 1e4 }));
  return { ...rest, tokens: tokens.join(' '), dense: encodeSteps(dense, (i, j) => j <= i, n), sparse: encodeSteps(sparse, scores(view), n), cost: { ...cost, lost } };
}
