/**
 * The sparse patterns of the figure as the engine's masks, their parameters
 * checked, and what a pattern costs and loses measured on numbers the engine
 * computed. Counting and comparing only: no softmax, no products.
 *
 * Local window, strided and fixed are the engine's own mask kinds (Child et
 * al. 2019, §4). Global tokens and block-sparse are built here as boolean
 * masks, causal like the rest:
 *   global  the local window, plus the first `globals` positions, which
 *           every later query may read (Longformer-style "global" tokens);
 *   block   keys grouped in blocks of `block` positions: a query scores its
 *           own block and the one before it, so the mask is decided block by
 *           block (what block-sparse kernels skip or keep).
 */
import type { MaskSpec } from '@attention-guide/attention';

export type Pattern = 'window' | 'strided' | 'fixed' | 'global' | 'block';
export const PATTERNS: readonly Pattern[] = ['window', 'strided', 'fixed', 'global', 'block'];

export interface Params {
  window: number;
  stride: number;
  summary: number;
  globals: number;
  block: number;
}
export type ParamName = keyof Params;

/** The parameters each pattern reads, in the order the figure shows them. */
export const PATTERN_PARAMS: Record<Pattern, readonly ParamName[]> = {
  window: ['window'],
  strided: ['stride'],
  fixed: ['stride', 'summary'],
  global: ['window', 'globals'],
  block: ['block'],
};

/** Causal, and key j within the last `window` positions of query i or among the first `globals`. */
export function globalMask(n: number, window: number, globals: number): Uint8Array {
  const allowed = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) if (i - j < window || j < globals) allowed[i * n + j] = 1;
  return allowed;
}

/** Causal, and key j in the block of query i or the block before it (blocks of `block` positions from 0). */
export function blockMask(n: number, block: number): Uint8Array {
  const allowed = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    const own = Math.floor(i / block);
    for (let j = 0; j <= i; j++) if (own - Math.floor(j / block) <= 1) allowed[i * n + j] = 1;
  }
  return allowed;
}

/** The pattern as the engine's mask for n tokens. */
export function patternMask(pattern: Pattern, p: Params, n: number): MaskSpec {
  switch (pattern) {
    case 'window':
      return { kind: 'sliding-window', window: p.window };
    case 'strided':
      return { kind: 'strided', stride: p.stride };
    case 'fixed':
      return { kind: 'fixed', stride: p.stride, summary: p.summary };
    case 'global':
      return { kind: 'boolean', allowed: globalMask(n, p.window, p.globals) };
    case 'block':
      return { kind: 'boolean', allowed: blockMask(n, p.block) };
  }
}

/** The smallest and largest value each parameter may take for n tokens (the summary also at most the stride). */
export function paramRange(name: ParamName, p: Params, n: number): [min: number, max: number] {
  switch (name) {
    case 'globals':
      return [0, n];
    case 'summary':
      return [1, Math.min(p.stride, n)];
    default:
      return [1, n];
  }
}

/**
 * The reader's text for one parameter, checked: a whole number in its range
 * (paramRange), or a message saying why not. The summary is checked against
 * the stride it comes with.
 */
export function parseParam(name: ParamName, text: string, p: Params, n: number): { ok: true; value: number } | { ok: false; message: string } {
  const trimmed = text.trim();
  const [min, max] = paramRange(name, p, n);
  const range = `a whole number from ${min} to ${max}${name === 'summary' ? ' (at most the stride)' : ''}`;
  if (!/^\d+$/.test(trimmed)) return { ok: false, message: `The ${LABELS[name].toLowerCase()} must be ${range}; “${text}” is not.` };
  const value = Number(trimmed);
  if (value < min || value > max) return { ok: false, message: `The ${LABELS[name].toLowerCase()} must be ${range}; ${value} is not.` };
  return { ok: true, value };
}

export const LABELS: Record<ParamName, string> = {
  window: 'Window',
  stride: 'Stride',
  summary: 'Summary size',
  globals: 'Global tokens',
  block: 'Block size',
};

/** A pair a dense head weighted that the pattern never scores. */
export interface LostPair {
  query: number;
  key: number;
  /** The dense (causal) head's weight on it. */
  weight: number;
}

export interface Cost {
  n: number;
  /** Query-key pairs the pattern scores. */
  allowed: number;
  /** Pairs the causal (dense) head scores: n(n + 1)/2. */
  causal: number;
  /** Dense pairs with weight at least the threshold that the pattern masks, heaviest first. */
  lost: LostPair[];
  /** Share of the dense head's weight (n in all, 1 per row) that falls on masked pairs. */
  lostMass: number;
}

/** The weight below which a dense pair does not count as lost. */
export const LOST_THRESHOLD = 0.1;

/**
 * What the pattern keeps and loses: `dense` is the causal head's weights and
 * `allows(i, j)` whether the sparse pattern scores pair (i, j), both n × n.
 */
export function patternCost(dense: ArrayLike<number>, allows: (i: number, j: number) => boolean, n: number, threshold = LOST_THRESHOLD): Cost {
  let allowed = 0;
  let lostWeight = 0;
  const lost: LostPair[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (allows(i, j)) {
        allowed++;
        continue;
      }
      const weight = dense[i * n + j]!;
      lostWeight += weight;
      if (weight >= threshold) lost.push({ query: i, key: j, weight });
    }
  }
  lost.sort((a, b) => b.weight - a.weight || a.query - b.query || a.key - b.key);
  return { n, allowed, causal: (n * (n + 1)) / 2, lost, lostMass: lostWeight / n };
}
