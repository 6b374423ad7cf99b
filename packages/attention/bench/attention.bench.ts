/**
 * Attention forward pass, N queries = N keys, d = 64, side by side:
 * the CPU reference, the CPU fast path, the CPU tiled (flash) pass, and a
 * peer: TensorFlow.js (tfjs-core on its WebAssembly backend) computing the
 * same softmax(Q·Kᵀ/√d)·V in the same process.
 *
 *   npm run bench -w @attention-guide/attention
 *
 * WebGPU rows (bench/webgpu.ts) join where Dawn offers an adapter.
 */
import { cpus } from 'node:os';
import { argv, version } from 'node:process';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { attentionFast } from '../src/cpu/fast';
import { attentionReference } from '../src/cpu/reference';
import { flashAttentionCpu } from '../src/flash';
import { randn } from '../src/tensor';
import type { Tensor } from '../src/tensor';

export interface BenchImplementation {
  name: string;
  /** Computes the attention output; may be async (GPU readback). */
  run(q: Tensor, k: Tensor, v: Tensor): Float32Array | Promise<Float32Array>;
  /** Prepares per-size state outside the timing (uploads); the returned function frees it. */
  prepare?(q: Tensor, k: Tensor, v: Tensor): Promise<() => void> | (() => void);
}

export interface BenchRow {
  name: string;
  n: number;
  /** Median milliseconds, or undefined when skipped. */
  ms: number | undefined;
  gflops: number | undefined;
  /** Max |difference| against the baseline named in `against`. */
  maxAbsDiff: number | undefined;
  against: string;
  note: string;
}

export const D = 64;
export const SIZES = [256, 1024, 4096] as const;
/** Timed runs after one warm-up; fewer at large N, where each run is long and steady. */
const RUNS: Record<number, number> = { 256: 9, 1024: 5, 4096: 3 };
/** The reference at a size is skipped when its estimated total (warm-up + runs) exceeds this. */
const REFERENCE_LIMIT_MS = 60_000;

const reference: BenchImplementation = { name: 'CPU reference', run: (q, k, v) => attentionReference(q, k, v).output.data };
const fast: BenchImplementation = { name: 'CPU fast', run: (q, k, v) => attentionFast(q, k, v).output.data };
/** 64 × 64 blocks: Q_i, K_j, V_j, O_i and S_ij of 4 KiB floats each, 80 KiB in all. */
const flash: BenchImplementation = { name: 'CPU flash (64×64 tiles)', run: (q, k, v) => flashAttentionCpu(q, k, v, { blockRows: 64, blockCols: 64 }).output.data };

function tfjsPeer(): BenchImplementation {
  let inputs: [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D] | undefined;
  return {
    name: 'tfjs-wasm (peer)',
    prepare(q, k, v) {
      const made = [q, k, v].map((t) => tf.tensor2d(t.data, [t.shape[0]!, t.shape[1]!])) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      inputs = made;
      return () => made.forEach((t) => t.dispose());
    },
    async run(q) {
      const [tq, tk, tv] = inputs!;
      const scale = 1 / Math.sqrt(q.shape[1]!);
      const out = tf.tidy(() => tf.matMul(tf.softmax(tf.mul(tf.matMul(tq, tk, false, true), scale)), tv));
      const data = (await out.data()) as Float32Array;
      out.dispose();
      return data;
    },
  };
}

/**
 * Times implementations against each other on one input: a warm-up run each,
 * then `runs` rounds in which every implementation runs once, in turn. On a
 * shared machine the speed drifts over seconds; interleaving makes every
 * implementation see the same drift, so their ratios stay fair.
 */
async function timeInterleaved(impls: BenchImplementation[], q: Tensor, k: Tensor, v: Tensor, runs: number): Promise<Array<{ ms: number; output: Float32Array }>> {
  const outputs: Float32Array[] = [];
  for (const impl of impls) outputs.push(await impl.run(q, k, v));
  const times: number[][] = impls.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (const [index, impl] of impls.entries()) {
      const start = performance.now();
      outputs[index] = await impl.run(q, k, v);
      times[index]!.push(performance.now() - start);
    }
  }
  return impls.map((_, index) => {
    const sorted = times[index]!.sort((a, b) => a - b);
    return { ms: sorted[Math.floor(sorted.length / 2)]!, output: outputs[index]! };
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function printTable(rows: BenchRow[]): void {
  const header = `${pad('implementation', 26)} ${pad('N', 5, true)} ${pad('ms (median)', 12, true)} ${pad('GFLOP/s', 8, true)} ${pad('max |diff|', 11, true)}  vs`;
  console.log(header);
  console.log('-'.repeat(header.length + 12));
  for (const row of rows) {
    const ms = row.ms === undefined ? 'skipped' : row.ms.toFixed(1);
    const gflops = row.gflops === undefined ? '' : row.gflops.toFixed(2);
    const diff = row.maxAbsDiff === undefined ? '' : row.maxAbsDiff.toExponential(1);
    console.log(`${pad(row.name, 26)} ${pad(String(row.n), 5, true)} ${pad(ms, 12, true)} ${pad(gflops, 8, true)} ${pad(diff, 11, true)}  ${row.against}${row.note ? `  (${row.note})` : ''}`);
  }
}

/** Runs every size, prints the table and the ratios, and returns the rows. */
export async function runBench(extra: BenchImplementation[] = [], sizes: readonly number[] = SIZES): Promise<BenchRow[]> {
  await tf.setBackend('wasm');
  await tf.ready();
  console.log(`Node ${version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores); peer: tfjs-core ${tf.version_core} on '${tf.getBackend()}'` +
    ` (SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, threads ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')}).`);
  console.log(`Attention forward pass, d = ${D}, no mask; GFLOP/s counts 4·N²·d (the two products).\n`);

  const rows: BenchRow[] = [];
  let referenceMsAt = { n: 0, ms: 0 };
  for (const n of sizes) {
    const q = randn([n, D], 1);
    const k = randn([n, D], 2);
    const v = randn([n, D], 3);
    const runs = RUNS[n] ?? 3;
    const flops = 4 * n * n * D;
    const row = (name: string, ms: number | undefined, diff: number | undefined, against: string, note = ''): void => {
      rows.push({ name, n, ms, gflops: ms === undefined ? undefined : flops / (ms * 1e6), maxAbsDiff: diff, against, note });
    };

    // The reference is O(N²·d) with a large constant: estimate from the last size before running it.
    const estimate = referenceMsAt.n ? referenceMsAt.ms * (n / referenceMsAt.n) ** 2 * (runs + 1) : 0;
    const skipReference = estimate > REFERENCE_LIMIT_MS;
    const peer = tfjsPeer();
    const impls = [...(skipReference ? [] : [reference]), fast, flash, peer, ...extra];
    const releases: Array<() => void> = [];
    try {
      for (const impl of impls) if (impl.prepare) releases.push(await impl.prepare(q, k, v));
      const timed = await timeInterleaved(impls, q, k, v, runs);
      // The baseline for max |diff|: the reference, or the fast path where the reference is skipped.
      const baseline = timed[0]!.output;
      const baselineName = skipReference ? 'fast' : 'reference';
      if (skipReference) {
        row(reference.name, undefined, undefined, '', `skipped: estimated ${(estimate / 1000).toFixed(0)} s for ${runs + 1} runs, over the ${REFERENCE_LIMIT_MS / 1000} s limit`);
      } else {
        referenceMsAt = { n, ms: timed[0]!.ms };
      }
      timed.forEach(({ ms, output }, index) => {
        const impl = impls[index]!;
        const isBaseline = index === 0;
        row(impl.name, ms, isBaseline ? undefined : maxAbsDiff(output, baseline), isBaseline ? '(baseline)' : baselineName);
      });
    } finally {
      for (const release of releases) release();
    }
  }

  printTable(rows);
  console.log('');
  const find = (name: string, n: number): number | undefined => rows.find((r) => r.name === name && r.n === n)?.ms;
  for (const n of sizes) {
    const referenceMs = find(reference.name, n);
    const fastMs = find(fast.name, n);
    const peerMs = find('tfjs-wasm (peer)', n);
    const parts = [`N = ${n}:`];
    if (referenceMs !== undefined && fastMs !== undefined) parts.push(`fast is ${(referenceMs / fastMs).toFixed(2)}× the reference's speed;`);
    if (peerMs !== undefined && fastMs !== undefined) {
      parts.push(`fast takes ${(fastMs / peerMs).toFixed(2)}× the peer's time (${fastMs < peerMs ? 'faster' : 'slower'} than tfjs-wasm).`);
    }
    console.log(parts.join(' '));
  }
  return rows;
}

if (argv[1] !== undefined && import.meta.url === pathToFileURL(argv[1]).href) {
  // WebGPU rows where Dawn offers an adapter (software SwiftShader here: it
  // proves the kernels run, not how fast they are on a real GPU).
  const { webGpuImplementations } = await import('./webgpu');
  const gpu = await webGpuImplementations(D);
  console.log(gpu.note);
  try {
    await runBench(gpu.impls);
  } finally {
    gpu.backend?.dispose();
  }
}
