import { AttentionError } from './errors';
import { isContiguous, maskAllows, rowRange } from './masks';
import { checkFinite } from './tensor';
import type { Tensor } from './tensor';
import type { MaskSpec } from './types';
import { checkPositiveInteger, validateAttentionShapes, validateMask } from './validate';

/**
 * Ring attention (Liu, Zaharia and Abbeel 2023), simulated: P devices each
 * own one block of queries and one block of keys/values. In P steps every
 * key/value block travels once around the ring (device p passes what it holds
 * to p + 1), and each device folds each block it sees into its queries'
 * running softmax (running max, running sum, unnormalised output), so no
 * device ever holds all of K and V, yet the result is exact attention.
 */

export interface RingOptions {
  /** P, the number of devices; at most the number of queries and of keys. */
  devices: number;
  mask?: MaskSpec;
  /** Default 1/sqrt(d_k). */
  scale?: number;
}

export interface RingSend {
  from: number;
  to: number;
  /** Index of the key/value block sent. */
  block: number;
}

export interface RingStep {
  step: number;
  /** holdings[p]: the key/value block device p holds (and computes with) during this step. */
  holdings: number[];
  /** computed[p]: false when the mask hides the whole held block from device p's queries, so it idles. */
  computed: boolean[];
  /** Blocks passed along the ring while this step computes (none after the last step). */
  sends: RingSend[];
}

export interface RingResult {
  output: Tensor;
  steps: RingStep[];
  /** [start, end) of each device's query block. */
  queryBlocks: Array<[start: number, end: number]>;
  /** [start, end) of each key/value block; block p starts on device p. */
  kvBlocks: Array<[start: number, end: number]>;
  /**
   * The most elements any device holds at once: its Q and O blocks, its
   * running max and sum (one each per query row), the key/value block it
   * computes with, the one arriving from its neighbour, and one row of scores.
   */
  perDeviceMemoryElements: number;
  /** Q, K, V and O whole, as one device would hold them. */
  singleDeviceMemoryElements: number;
}

/**
 * Splits `length` rows into `parts` blocks whose sizes differ by at most one,
 * larger blocks first (so the last may be smaller and none is empty).
 */
export function splitBlocks(length: number, parts: number): Array<[start: number, end: number]> {
  const base = Math.floor(length / parts);
  const extra = length % parts;
  const blocks: Array<[number, number]> = [];
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const size = base + (p < extra ? 1 : 0);
    blocks.push([start, start + size]);
    start += size;
  }
  return blocks;
}

const mod = (a: number, b: number): number => ((a % b) + b) % b;

export function ringAttention(q: Tensor, k: Tensor, v: Tensor, options: RingOptions): RingResult {
  const { n, m, dk, dv } = validateAttentionShapes(q, k, v);
  const P = options.devices;
  checkPositiveInteger(P, 'The number of devices');
  if (P > n || P > m) {
    throw new AttentionError(
      'INVALID_SIZE',
      `Ring attention over ${P} devices needs at least ${P} queries and ${P} keys (one block per device), got ${n} and ${m}.`,
      { devices: P, n, m },
    );
  }
  if (options.scale !== undefined && !Number.isFinite(options.scale)) {
    throw new AttentionError('NON_FINITE', `The scale is ${options.scale}; it must be a finite number.`, { scale: options.scale });
  }
  const spec = options.mask ?? { kind: 'none' };
  validateMask(spec, n, m);
  checkFinite(q, 'Q');
  checkFinite(k, 'K');
  checkFinite(v, 'V');

  const scale = options.scale ?? 1 / Math.sqrt(dk);
  const allows = maskAllows(spec, n, m);
  const contiguous = isContiguous(spec);
  const queryBlocks = splitBlocks(n, P);
  const kvBlocks = splitBlocks(m, P);
  const kvSize = (b: number): number => kvBlocks[b]![1] - kvBlocks[b]![0];

  // Per-row state of the online softmax, kept by the device owning the row.
  const acc = new Float64Array(n * dv); // Σ exp(s − runningMax) · v, unnormalised
  const runningMax = new Float64Array(n).fill(-Infinity);
  const runningSum = new Float64Array(n);
  const rowScores = new Float64Array(kvSize(0)); // block 0 is a largest one

  const steps: RingStep[] = [];
  let perDeviceMemoryElements = 0;
  for (let s = 0; s < P; s++) {
    const holdings: number[] = [];
    const computed: boolean[] = [];
    for (let p = 0; p < P; p++) {
      const block = mod(p - s, P);
      holdings.push(block);
      const [q0, q1] = queryBlocks[p]!;
      const [k0, k1] = kvBlocks[block]!;
      let any = false;
      for (let i = q0; i < q1; i++) {
        const [lo, hi] = rowRange(spec, n, m, i);
        const from = Math.max(lo, k0);
        const to = Math.min(hi, k1);
        let blockMax = -Infinity;
        for (let j = from; j < to; j++) {
          let score = -Infinity;
          if (contiguous || allows(i, j)) {
            score = 0;
            for (let t = 0; t < dk; t++) score += q.data[i * dk + t]! * k.data[j * dk + t]!;
            score *= scale;
          }
          rowScores[j - k0] = score;
          if (score > blockMax) blockMax = score;
        }
        if (blockMax === -Infinity) continue;
        any = true;
        // Merge the block into the running softmax: rescale what is there to the new max, add the block.
        const newMax = Math.max(runningMax[i]!, blockMax);
        const rescale = Math.exp(runningMax[i]! - newMax);
        runningSum[i] = runningSum[i]! * rescale;
        for (let t = 0; t < dv; t++) acc[i * dv + t] = acc[i * dv + t]! * rescale;
        for (let j = from; j < to; j++) {
          const w = Math.exp(rowScores[j - k0]! - newMax);
          if (w === 0) continue;
          runningSum[i] = runningSum[i]! + w;
          for (let t = 0; t < dv; t++) acc[i * dv + t] = acc[i * dv + t]! + w * v.data[j * dv + t]!;
        }
        runningMax[i] = newMax;
      }
      computed.push(any);

      const last = s === P - 1;
      const incoming = last ? 0 : kvSize(mod(p - 1 - s, P));
      const rowsHere = q1 - q0;
      const memory = rowsHere * (dk + dv) + 2 * rowsHere + (kvSize(block) + incoming) * (dk + dv) + kvSize(block);
      perDeviceMemoryElements = Math.max(perDeviceMemoryElements, memory);
    }
    const sends: RingSend[] = s === P - 1 ? [] : holdings.map((block, p) => ({ from: p, to: (p + 1) % P, block }));
    steps.push({ step: s, holdings, computed, sends });
  }

  // Normalise; a row that saw no key keeps output 0 (the reference's convention).
  const output = new Float32Array(n * dv);
  for (let i = 0; i < n; i++) {
    const sum = runningSum[i]!;
    if (sum === 0) continue;
    for (let t = 0; t < dv; t++) output[i * dv + t] = acc[i * dv + t]! / sum;
  }

  return {
    output: { data: output, shape: [n, dv] },
    steps,
    queryBlocks,
    kvBlocks,
    perDeviceMemoryElements,
    singleDeviceMemoryElements: n * dk + m * dk + m * dv + n * dv,
  };
}
