/**
 * What the ring attention figure shows, computed by the attention engine:
 * the schedule (which key/value block each device holds at each round, and
 * what it passes on) from the engine package's ringAttention (a CPU simulation), the result compared with
 * full attention (engine.attention), and, round by round, what each device's
 * running softmax amounts to so far. That last is attention over the keys the
 * device has seen, which the engine computes with a mask; this file only
 * builds the mask, slices and compares. The memory counts are arithmetic.
 */
import type { Engine } from '@attention-guide/attention';
import { Batch } from '@attention-guide/attention/batch';
import { ringAttention } from '@attention-guide/attention/ring';
import { randn, type Tensor } from '@attention-guide/attention/tensor';

/** The problem the reader sets: P devices, N tokens, d wide, one seeded draw of Q, K and V. */
export interface RingSetting {
  devices: number;
  tokens: number;
  width: number;
  seed: number;
}

export const DEFAULT_RING: RingSetting = { devices: 4, tokens: 24, width: 4, seed: 5 };

/** The limits the form enforces: a ring of 2 to 8 devices, a problem small enough to draw. */
export const LIMITS = { devices: [2, 8], tokens: [2, 48], width: [1, 8] } as const;

/** The reader's typed values, or why they are refused. */
export type Parsed = { ok: true; setting: RingSetting } | { ok: false; message: string };

function whole(raw: string, name: string, [lo, hi]: readonly [number, number]): number | string {
  const text = raw.trim();
  if (!/^\d+$/.test(text)) return `${name} must be a whole number from ${lo} to ${hi}; “${raw}” is not.`;
  const value = Number(text);
  if (value < lo || value > hi) return `${name} must be from ${lo} to ${hi}; ${value} is not.`;
  return value;
}

/** Checks the reader's P, N and d: whole numbers in range, and P dividing N so every device gets an equal block. */
export function parseSetting(raw: { devices: string; tokens: string; width: string }, seed: number): Parsed {
  const devices = whole(raw.devices, 'The number of devices P', LIMITS.devices);
  if (typeof devices === 'string') return { ok: false, message: devices };
  const tokens = whole(raw.tokens, 'The sequence length N', LIMITS.tokens);
  if (typeof tokens === 'string') return { ok: false, message: tokens };
  const width = whole(raw.width, 'The width d', LIMITS.width);
  if (typeof width === 'string') return { ok: false, message: width };
  if (devices > tokens) return { ok: false, message: `${devices} devices need at least ${devices} tokens, one block each; N is ${tokens}.` };
  if (tokens % devices !== 0) {
    return { ok: false, message: `${devices} devices do not divide ${tokens} tokens into equal blocks (${tokens} ÷ ${devices} leaves ${tokens % devices}).` };
  }
  return { ok: true, setting: { devices, tokens, width, seed } };
}

/** Bytes each part takes, counted in elements of `bytes` bytes each (4 for fp32). */
export interface RingMemory {
  /** One device of the ring: its queries, the key/value block it computes with, the one arriving, its output accumulator, and its running max and sum (one each per query row). */
  device: { queries: number; held: number; inFlight: number; output: number; statistics: number; total: number };
  /** One device holding it all: Q, K, V and O for the whole sequence. */
  single: { queries: number; keysValues: number; output: number; total: number };
}

/**
 * Memory of ring attention with N tokens split evenly over P devices, queries
 * and keys d wide and values d wide, against one device holding the whole
 * problem. Neither side counts scores: a device scores one block at a time
 * and can reuse that space (the engine adds one row of scores to its count).
 */
export function ringMemory(tokens: number, width: number, devices: number, bytes = 4): RingMemory {
  const block = tokens / devices;
  const queries = block * width * bytes;
  const held = 2 * block * width * bytes;
  const inFlight = devices > 1 ? held : 0;
  const output = block * width * bytes;
  const statistics = 2 * block * bytes;
  const single = { queries: tokens * width * bytes, keysValues: 2 * tokens * width * bytes, output: tokens * width * bytes };
  return {
    device: { queries, held, inFlight, output, statistics, total: queries + held + inFlight + output + statistics },
    single: { ...single, total: single.queries + single.keysValues + single.output },
  };
}

/** Everything the figure shows for one setting, every round included. */
export interface RingView {
  setting: RingSetting;
  /** [start, end) of device p's query block (also of key/value block p, which starts on device p). */
  blocks: Array<[number, number]>;
  /** holdings[s][p]: the key/value block device p computes with in round s. */
  holdings: number[][];
  /** sends[s]: [from, to, block] for each block passed on while round s computes (none after the last). */
  sends: Array<Array<[number, number, number]>>;
  /** gaps[s][p]: after round s, the largest difference between device p's normalised running output and full attention on its rows. */
  gaps: number[][];
  /** firstRows[s][p]: device p's normalised running output for its first query after round s (d values). */
  firstRows: number[][][];
  /** The largest difference between the ring's output and full attention's. */
  ringGap: number;
  /** The engine's own count of the most elements a device holds (includes one row of scores). */
  engineDeviceElements: number;
}

/** The largest |a − b| over rows [r0, r1) of two n × d outputs. */
function largestGap(a: Tensor, b: Tensor, width: number, r0: number, r1: number): number {
  let gap = 0;
  for (let i = r0 * width; i < r1 * width; i++) gap = Math.max(gap, Math.abs(a.data[i]! - b.data[i]!));
  return gap;
}

/** Which keys each query has met after round s: the blocks its device held in rounds 0..s. */
export function seenMask(view: Pick<RingView, 'blocks' | 'holdings'>, round: number, tokens: number): Uint8Array {
  const allowed = new Uint8Array(tokens * tokens);
  view.blocks.forEach(([q0, q1], p) => {
    for (let s = 0; s <= round; s++) {
      const [k0, k1] = view.blocks[view.holdings[s]![p]!]!;
      for (let i = q0; i < q1; i++) allowed.fill(1, i * tokens + k0, i * tokens + k1);
    }
  });
  return allowed;
}

export async function ringView(engine: Engine, setting: RingSetting): Promise<RingView> {
  const { devices, tokens: n, width: d, seed } = setting;
  const q = randn([n, d], seed);
  const k = randn([n, d], seed + 1000);
  const v = randn([n, d], seed + 2000);
  const ring = ringAttention(q, k, v, { devices });
  const blocks = ring.queryBlocks.map(([a, b]) => [a, b] as [number, number]);
  const holdings = ring.steps.map((step) => [...step.holdings]);
  // Full attention and, after each round, attention over the keys met so far: one batch, so on WebGPU one submission and one readback.
  const batch = new Batch();
  const [qv, kv, vv] = [batch.input(q, 'Q'), batch.input(k, 'K'), batch.input(v, 'V')];
  const fullValue = batch.read(batch.attention(qv, kv, vv).output);
  const rounds = Array.from({ length: devices }, (_, s) => batch.read(batch.attention(qv, kv, vv, { mask: { kind: 'boolean', allowed: seenMask({ blocks, holdings }, s, n) } }).output));
  const result = await engine.run(batch);
  const full = result.get(fullValue);
  const gaps: number[][] = [];
  const firstRows: number[][][] = [];
  for (const round of rounds) {
    const partial = result.get(round);
    gaps.push(blocks.map(([r0, r1]) => largestGap(partial, full, d, r0, r1)));
    firstRows.push(blocks.map(([r0]) => Array.from(partial.data.subarray(r0 * d, r0 * d + d))));
  }
  return {
    setting,
    blocks,
    holdings,
    sends: ring.steps.map((step) => step.sends.map((send) => [send.from, send.to, send.block] as [number, number, number])),
    gaps,
    firstRows,
    ringGap: largestGap(ring.output, full, d, 0, n),
    engineDeviceElements: ring.perDeviceMemoryElements,
  };
}
