/**
 * The FlashAttention tiles demo's data, shared by the build (the first
 * state) and the browser: the reader's problem (N, d, B_r, B_c and a seed),
 * checked; its Q, K and V from the engine's seeded randn; the block-by-block
 * trace of the tiled pass (the engine's flashSteps); and the engine's final
 * outputs, naive and tiled, with their traffic. Nothing here computes
 * attention: it slices, counts and formats what the engine returns.
 */
import type { Engine, Tensor, Traffic } from '@attention-guide/attention';
import { algorithm1BlockSizes, flashSteps, flashTraffic, flashTrafficBound, type FlashStep } from '@attention-guide/attention/flash';
import { randn } from '@attention-guide/attention/tensor';
import { shortest } from '../../lib/float32';
import { largestDifference } from '../concat/concat';

export { largestDifference };

export interface Setting {
  /** Tokens (queries = keys = values rows). */
  n: number;
  /** Width of each query, key and value row (d_k = d_v = d). */
  d: number;
  blockRows: number;
  blockCols: number;
  seed: number;
}

export const DEFAULT_SETTING: Setting = { n: 16, d: 4, blockRows: 4, blockCols: 4, seed: 1 };

/** The sizes the figure can draw and step through. */
export const LIMITS = { n: [2, 32], d: [1, 8], seed: [1, 9999] } as const;

export type Parsed = { ok: true; value: Setting } | { ok: false; message: string };

/** The form's five fields as typed; a refusal names the first field that is wrong and why. */
export function parseSetting(raw: Record<keyof Setting, string>): Parsed {
  const whole = (text: string) => (/^\s*\d+\s*$/.test(text) ? Number(text) : NaN);
  const n = whole(raw.n);
  const d = whole(raw.d);
  const blockRows = whole(raw.blockRows);
  const blockCols = whole(raw.blockCols);
  const seed = whole(raw.seed);
  const check = (value: number, text: string, name: string, lo: number, hi: number, why = '') =>
    Number.isInteger(value) && value >= lo && value <= hi ? '' : `${name} must be a whole number from ${lo} to ${hi}${why}; “${text.trim()}” is not.`;
  const message =
    check(n, raw.n, 'N', ...LIMITS.n) ||
    check(d, raw.d, 'd', ...LIMITS.d) ||
    check(blockRows, raw.blockRows, 'B_r', 1, n, ` (a block of query rows cannot be taller than the N = ${n} rows there are)`) ||
    check(blockCols, raw.blockCols, 'B_c', 1, n, ` (a block of keys cannot hold more than the N = ${n} keys there are)`) ||
    check(seed, raw.seed, 'The seed', ...LIMITS.seed);
  return message ? { ok: false, message } : { ok: true, value: { n, d, blockRows, blockCols, seed } };
}

/** Q, K and V for a setting: the engine's standard normal draws, one seed each. */
export function problem(s: Setting): [Tensor, Tensor, Tensor] {
  return [randn([s.n, s.d], 3 * s.seed), randn([s.n, s.d], 3 * s.seed + 1), randn([s.n, s.d], 3 * s.seed + 2)];
}

/** Every computed block of the tiled pass, in order (the engine's CPU simulation of Algorithm 1). */
export function trace(s: Setting): FlashStep[] {
  const [q, k, v] = problem(s);
  return [...flashSteps(q, k, v, { blockRows: s.blockRows, blockCols: s.blockCols })];
}

/** What the engine's backend returns for the whole problem, naive and tiled, and the engine's traffic counts. */
export interface Final {
  setting: Setting;
  naive: number[];
  flash: number[];
  /** The largest |tiled − naive| over the output. */
  difference: number;
  traffic: Traffic;
  standardTraffic: Traffic;
}

export async function finalOutputs(engine: Engine, s: Setting): Promise<Final> {
  const [q, k, v] = problem(s);
  const [naive, flash] = await Promise.all([engine.attention(q, k, v), engine.flashAttention(q, k, v, { blockRows: s.blockRows, blockCols: s.blockCols })]);
  return {
    setting: s,
    naive: Array.from(naive.output.data, shortest),
    flash: Array.from(flash.output.data, shortest),
    difference: largestDifference(naive.output.data, flash.output.data),
    traffic: flash.traffic,
    standardTraffic: flash.standardTraffic,
  };
}

/** One point of the Theorem 2 plot: an on-chip memory of M elements. */
export interface BoundPoint {
  M: number;
  /** Theorem 2 without constants: Θ(Nd + N²) and Θ(N²d²/M). */
  standard: number;
  flash: number;
  /** The engine's count of HBM reads + writes with Algorithm 1's block sizes for this M. */
  counted: number;
}

/** Theorem 2's range d ≤ M ≤ Nd, at powers of two (and both ends). */
export function boundPoints(n: number, d: number): BoundPoint[] {
  const ms = new Set([d, n * d]);
  for (let M = 1; M < n * d; M *= 2) if (M > d) ms.add(M);
  return [...ms]
    .sort((a, b) => a - b)
    .map((M) => {
      const { standard, flash } = flashTrafficBound(n, d, M);
      const { traffic } = flashTraffic(n, n, d, d, algorithm1BlockSizes(M, d));
      return { M, standard, flash, counted: traffic.hbmReads + traffic.hbmWrites };
    });
}

/** Where Θ(N²d²/M) meets Θ(Nd + N²): M = N d² / (N + d), which nears d² as N grows. */
export function crossover(n: number, d: number): number {
  return (n * d * d) / (n + d);
}
