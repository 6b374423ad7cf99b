/**
 * The engine's WebGPU backend on whatever adapter Dawn finds, checked and
 * timed against the CPU in one process:
 *
 *   1. the same test vectors as the unit tests' WebGPU suite (shapes, masks,
 *      scales, every stage) against the CPU reference, with the tests'
 *      tolerance (1e-5 relative plus a floor of 1e-6 × the largest value);
 *   2. the attention forward pass, N queries = N keys, d = 64, from N = 256
 *      to 16,384: the fused and tiled kernels against the CPU fast path;
 *   3. the chapters' demos at their own sizes: what one call costs each
 *      backend, upload and readback included.
 *
 *   npm run bench:gpu -w @attention-guide/attention   (BENCH_MAX_N=1024 to stop there)
 *
 * On a machine with a GPU, point VK_ICD_FILENAMES at its Vulkan driver (or
 * leave it unset where the loader finds one). NVIDIA's (nvidia_icd.json)
 * loads libGLX_nvidia.so.0, which needs libglvnd (libGLdispatch.so.0): where
 * that is missing, Dawn offers no adapter. Without a GPU it falls back to
 * SwiftShader, which proves the kernels run, not how fast.
 */
import { cpus } from 'node:os';
import { version } from 'node:process';
import { attentionFast, matmulFast, softmaxFast } from '../src/cpu/fast';
import { attentionReference, matmulReference, softmaxReference } from '../src/cpu/reference';
import { randn, type Tensor } from '../src/tensor';
import type { AttentionOptions, MaskSpec } from '../src/types';
import { webGpuImplementations } from './webgpu';

const REL = 1e-5;
const ABS = 1e-6;

/** Largest |a - e| beyond the tolerance (≤ 0 passes), and the largest plain difference. */
function compare(actual: Tensor, expected: Tensor): { excess: number; maxAbs: number } {
  let largest = 1;
  for (const e of expected.data) if (Number.isFinite(e)) largest = Math.max(largest, Math.abs(e));
  let excess = -Infinity;
  let maxAbs = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    if (a === e) continue;
    const diff = Math.abs(a - e);
    maxAbs = Math.max(maxAbs, diff);
    excess = Math.max(excess, Number.isNaN(diff) ? Infinity : diff - (REL * Math.abs(e) + ABS * largest));
  }
  return { excess, maxAbs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeIt(run: () => unknown, runs: number): Promise<number> {
  await run();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return median(times);
}

const gpu = await webGpuImplementations(64);
console.log(`Node ${version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores)`);
console.log(gpu.note);
const backend = gpu.backend;
if (!backend) process.exit(1);

// 1. Correctness: the WebGPU backend against the CPU reference.
const masks: MaskSpec[] = [{ kind: 'none' }, { kind: 'causal' }, { kind: 'sliding-window', window: 5 }, { kind: 'strided', stride: 4 }];
const cases: Array<{ n: number; m: number; dk: number; dv: number; options: AttentionOptions }> = [];
for (const [n, m, dk, dv] of [[1, 1, 1, 1], [3, 3, 2, 2], [7, 13, 5, 3], [64, 64, 1024, 8], [129, 257, 64, 64], [512, 512, 128, 64]] as const) {
  for (const mask of masks) {
    if (mask.kind !== 'none' && n !== m) continue;
    cases.push({ n, m, dk, dv, options: { mask, stages: true } });
  }
}
// Unscaled at d_k = 1024 the scores reach ±100: the scores kernel's
// compensated dot product is what keeps the weights within 1e-5 there (plain
// float32 summation was 2.9e-5 off). Printed on its own, and held to the
// tolerance like every other case.
const illConditioned = { n: 64, m: 64, dk: 1024, dv: 8, options: { scale: 1, stages: true } as AttentionOptions };
cases.push(illConditioned);
let failures = 0;
let worstAbs = 0;
let checks = 0;
const record = (what: string, actual: Tensor, expected: Tensor) => {
  const { excess, maxAbs } = compare(actual, expected);
  checks += 1;
  worstAbs = Math.max(worstAbs, maxAbs);
  if (excess > 0) {
    failures += 1;
    console.log(`  FAIL ${what}: off by ${maxAbs.toExponential(2)}, ${excess.toExponential(2)} beyond the tolerance`);
  }
};
for (const [index, c] of cases.entries()) {
  const q = randn([c.n, c.dk], 10 + index);
  const k = randn([c.m, c.dk], 20 + index);
  const v = randn([c.m, c.dv], 30 + index);
  const what = `attention ${c.n}×${c.m}, d_k ${c.dk}, ${c.options.mask?.kind ?? 'scale 1'}`;
  const expected = attentionReference(q, k, v, c.options);
  const actual = await backend.attention(q, k, v, c.options);
  record(`${what}: output`, actual.output, expected.output);
  for (const stage of ['scores', 'scaled', 'masked', 'weights'] as const) record(`${what}: ${stage}`, actual.stages![stage], expected.stages![stage]);
  // The tiled kernel, where 16 × 16 blocks fit the device's workgroup memory at this d_k.
  if ((c.options.mask?.kind === 'none' || c.options.mask?.kind === 'causal') && c.dk <= 128) {
    const flash = await backend.flashAttention(q, k, v, { blockRows: 16, blockCols: 16, mask: c.options.mask });
    record(`${what}: tiled output`, flash, expected.output);
  }
}
for (const [r, inner, c] of [[1, 1, 1], [17, 33, 9], [256, 64, 256], [300, 1024, 70]] as const) {
  const a = randn([r, inner], r);
  const b = randn([inner, c], c);
  record(`matmul ${r}×${inner}·${inner}×${c}`, await backend.matmul(a, b), matmulReference(a, b));
  const x = randn([r, c], inner);
  record(`softmax ${r}×${c}`, await backend.softmax(x, { scale: 0.5 }), softmaxReference(x, { scale: 0.5 }));
}
{
  const q = randn([64, 1024], 91);
  const k = randn([64, 1024], 92);
  const v = randn([64, 8], 93);
  const expected = attentionReference(q, k, v, illConditioned.options).stages!.weights;
  const gpuDiff = compare((await backend.attention(q, k, v, illConditioned.options)).stages!.weights, expected).maxAbs;
  const cpuDiff = compare(attentionFast(q, k, v, illConditioned.options).stages!.weights, expected).maxAbs;
  const cross = compare((await backend.attention(q, k, v, illConditioned.options)).stages!.weights, attentionFast(q, k, v, illConditioned.options).stages!.weights).maxAbs;
  console.log(`Unscaled, d_k 1024 (scores near ±100): weights off the float64 reference by ${gpuDiff.toExponential(2)} on WebGPU and ${cpuDiff.toExponential(2)} on the CPU's float32 path; WebGPU vs CPU ${cross.toExponential(2)}`);
}
console.log(`\n1. Test vectors: ${checks - failures} of ${checks} comparisons within ${REL} relative + ${ABS} × largest; largest difference ${worstAbs.toExponential(2)}.`);

// 2. The forward pass at growing N, d = 64: medians, interleaving not needed on an otherwise idle machine.
console.log('\n2. Attention forward, d = 64, no mask; GPU times include upload and readback.');
console.log(`${'N'.padStart(6)} ${'CPU fast ms'.padStart(12)} ${'GPU fused ms'.padStart(13)} ${'GPU tiled ms'.padStart(13)} ${'tiled GFLOP/s'.padStart(14)} ${'max |diff|'.padStart(11)}`);
const [fused, tiled] = gpu.impls;
// BENCH_MAX_N caps the sizes (SwiftShader takes minutes at the larger ones).
const maxN = Number(process.env['BENCH_MAX_N'] ?? 16384);
for (const n of [256, 1024, 4096, 16384].filter((size) => size <= maxN)) {
  const q = randn([n, 64], 1);
  const k = randn([n, 64], 2);
  const v = randn([n, 64], 3);
  const runs = n >= 4096 ? 5 : 11;
  const cpuMs = n <= 4096 ? await timeIt(() => attentionFast(q, k, v), n === 4096 ? 3 : runs) : undefined;
  const fusedMs = await timeIt(() => fused!.run(q, k, v), runs);
  const tiledMs = await timeIt(() => tiled!.run(q, k, v), runs);
  const out = await tiled!.run(q, k, v);
  const base = n <= 4096 ? attentionFast(q, k, v).output.data : await fused!.run(q, k, v);
  let diff = 0;
  for (let i = 0; i < out.length; i++) diff = Math.max(diff, Math.abs(out[i]! - base[i]!));
  const gflops = (4 * n * n * 64) / (tiledMs * 1e6);
  console.log(
    `${String(n).padStart(6)} ${(cpuMs === undefined ? 'skipped' : cpuMs.toFixed(2)).padStart(12)} ${fusedMs.toFixed(2).padStart(13)} ${tiledMs.toFixed(2).padStart(13)} ${gflops.toFixed(1).padStart(14)} ${diff.toExponential(1).padStart(11)}`,
  );
}

// 3. The demos' own sizes: one call each, as an island makes it.
console.log('\n3. One call at the demos’ sizes (median of 31), milliseconds:');
const demos: Array<{ name: string; n: number; m: number; dk: number; dv: number; options: AttentionOptions }> = [
  { name: 'Q-K-V pipeline, 8 tokens, d_k 8, stages', n: 8, m: 8, dk: 8, dv: 8, options: { stages: true, mask: { kind: 'causal' } } },
  { name: 'library search, 1 query × 6 books', n: 1, m: 6, dk: 5, dv: 5, options: { stages: true } },
  { name: '√d_k demo, 64 × 64 at d_k 1024, unscaled', n: 64, m: 64, dk: 1024, dv: 1, options: { stages: true, scale: 1 } },
  { name: 'one head of a 64-token sentence, d_k 8', n: 64, m: 64, dk: 8, dv: 8, options: { stages: true, mask: { kind: 'causal' } } },
];
for (const demo of demos) {
  const q = randn([demo.n, demo.dk], 4);
  const k = randn([demo.m, demo.dk], 5);
  const v = randn([demo.m, demo.dv], 6);
  const cpuMs = await timeIt(() => attentionReference(q, k, v, demo.options), 31);
  const gpuMs = await timeIt(() => backend.attention(q, k, v, demo.options), 31);
  console.log(`  ${demo.name.padEnd(44)} CPU ${cpuMs.toFixed(3).padStart(7)}   GPU ${gpuMs.toFixed(3).padStart(7)}`);
}
const small = randn([32, 32], 7);
console.log(`  matmul 32×32 · 32×32: CPU ${(await timeIt(() => matmulFast(small, small), 31)).toFixed(3)}, GPU ${(await timeIt(() => backend.matmul(small, small), 31)).toFixed(3)}`);
console.log(`  softmax 32×32: CPU ${(await timeIt(() => softmaxFast(small), 31)).toFixed(3)}, GPU ${(await timeIt(() => backend.softmax(small), 31)).toFixed(3)}`);
backend.dispose();
if (failures > 0) process.exit(2);
