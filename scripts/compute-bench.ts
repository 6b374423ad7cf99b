/**
 * The model work behind two islands, timed in Node on WebGPU (Dawn, the
 * `webgpu` package) and on the CPU engine side by side in one process (a
 * benchmark: it prints figures; it exits non-zero only when the columns
 * disagree or WebGPU cannot start):
 *
 *   1. the head gallery's text: encodeText and readEncoded, the code the
 *      island runs when a sentence is read (one decoder run, all eight
 *      heads), alternating between two sentences as bench:islands does;
 *   2. one generation step: Generation.step and view, the code the
 *      generation island runs on Step, from the prompt "the cat" until the
 *      model writes <eos>, then again (the restart is not timed).
 *
 * Each interaction is timed on both engines in turn, so a noisy moment hits
 * both. What this leaves out is the page's own work (Svelte's update, style
 * and layout), which `npm run bench:islands` measures in Chromium with
 * everything else. Its point is the GPU: where the machine has one, Dawn
 * runs the engine's kernels on it, so the WebGPU column is what a reader's
 * GPU adds to the island's latency; without one, Dawn falls back to
 * SwiftShader (a CPU) and the column says only that the kernels run.
 *
 * With `-- --against REV`, a third column runs the same interactions on
 * WebGPU with the code of another revision (its engine, models package and
 * island code, from a git worktree: scripts/revision.ts), in the same process
 * and in turn with the others, so a change to the engine is measured against
 * its baseline under the same load.
 *
 *   npm run bench:compute   (BENCH_INTERACTIONS=100; VK_ICD_FILENAMES picks the
 *                            Vulkan driver, as for bench:gpu in packages/attention)
 *   npm run bench:compute -- --against main~2
 */
import { cpus } from 'node:os';
import { version } from 'node:process';
import { parseArgs } from 'node:util';
import * as engineCode from '@attention-guide/attention';
import type { Engine } from '@attention-guide/attention';
import type { DecoderConfig } from '@attention-guide/models/model';
import * as shippedCode from '@attention-guide/models/shipped';
import type { Encoded } from '@attention-guide/models/tokenize';
import { startDawn } from '../packages/attention/bench/webgpu';
import * as generationCode from '../src/islands/causal/generation';
import * as readingCode from '../src/islands/tokens/reading';
import { SENTENCES } from './island-probe.mjs';
import { percentile } from './percentile.mjs';
import { checkOutRevision, type Revision } from './revision';

const INTERACTIONS = Number(process.env['BENCH_INTERACTIONS'] ?? 100);
const WARM_UP = 5;
/** The generation island's prompt (the gallery's sentences are bench:islands', SENTENCES). */
const PROMPT = 'the cat';
/** Largest difference allowed between the backends' weights and logits (the islands' tests use 1e-5 for weights). */
const WEIGHTS_TOLERANCE = 1e-5;
const LOGITS_TOLERANCE = 1e-3;

async function startGpu(createEngine: typeof engineCode.createEngine): Promise<{ engine: Engine | null; note: string }> {
  const { gpu, reason } = await startDawn();
  if (!gpu) return { engine: null, note: reason };
  const engine = await createEngine({ prefer: 'webgpu', gpu });
  const info = engine.backend;
  if (info.kind !== 'webgpu') {
    engine.dispose();
    return { engine: null, note: `WebGPU did not start: ${info.reason}` };
  }
  return { engine, note: `WebGPU adapter: ${info.adapter}${info.software ? ' (software)' : ''}` };
}

function summary(times: number[]): string {
  return `p50 ${percentile(times, 50).toFixed(2).padStart(6)}  p95 ${percentile(times, 95).toFixed(2).padStart(6)}  max ${Math.max(...times).toFixed(2).padStart(6)}`;
}

function largestDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let largest = 0;
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i]! - b[i]!));
  return largest;
}

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await run();
  return { ms: performance.now() - start, value };
}

/** What one column runs: an engine, and the code of some revision (the working tree's unless --against). */
interface Side {
  name: string;
  engine: Engine;
  Generation: typeof generationCode.Generation;
  readEncoded: typeof readingCode.readEncoded;
  model: ReturnType<typeof shippedCode.readShipped>;
  encode: (text: string) => Encoded;
}

function side(name: string, engine: Engine, code: { generation: typeof generationCode; reading: typeof readingCode; shipped: typeof shippedCode }): Side {
  const model = code.shipped.readShipped('decoder');
  const words = model.vocabulary['tokens']!.words;
  const encode = (text: string): Encoded => {
    const encoded = code.reading.encodeText(text, words, (model.params.config as DecoderConfig).maxLength);
    if (!encoded.ok) throw new Error(encoded.message);
    return encoded.value;
  };
  return { name, engine, Generation: code.generation.Generation, readEncoded: code.reading.readEncoded, model, encode };
}

const { values: flags } = parseArgs({ options: { against: { type: 'string' } } });
const here = { generation: generationCode, reading: readingCode, shipped: shippedCode };
const cpu = await engineCode.createEngine({ prefer: 'cpu' });
const gpu = await startGpu(engineCode.createEngine);
console.log(`Node ${version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores)`);
console.log(gpu.note);
if (!gpu.engine) process.exit(1);
const sides: Side[] = [side('CPU', cpu, here), side('WebGPU', gpu.engine, here)];
let revision: Revision | null = null;
if (flags.against) {
  revision = checkOutRevision(flags.against);
  // Also when the benchmark fails part way: the worktree is only scaffolding.
  process.on('exit', () => revision?.remove());
  const load = <T>(path: string) => import(`${revision!.dir}/${path}`) as Promise<T>;
  const [engineThen, generation, reading, shipped] = await Promise.all([
    load<typeof engineCode>('packages/attention/src/index.ts'),
    load<typeof generationCode>('src/islands/causal/generation.ts'),
    load<typeof readingCode>('src/islands/tokens/reading.ts'),
    load<typeof shippedCode>('packages/models/src/shipped.ts'),
  ]);
  const then = await startGpu(engineThen.createEngine);
  if (!then.engine) throw new Error(`WebGPU did not start with ${revision.commit}'s engine: ${then.note}`);
  sides.push(side(`WebGPU, ${revision.commit}`, then.engine, { generation, reading, shipped }));
  console.log(`Third column: WebGPU with the code of ${revision.commit}${flags.against === revision.commit ? '' : ` (${flags.against})`}.`);
}
const config = sides[0]!.model.params.config as DecoderConfig;
/** Each interaction runs every column, starting from a different one each time, so no column always goes first. */
const inTurn = (i: number): Array<[number, Side]> => sides.map((_, k) => (((i + k) % sides.length) + sides.length) % sides.length).map((index) => [index, sides[index]!]);
const width = Math.max(...sides.map((s) => s.name.length));
const others = sides.length > 2 ? 'Both WebGPU columns' : 'WebGPU';
let disagreements = 0;

// ---------- 1. The head gallery's text ----------

const galleryTimes = sides.map((): number[] => []);
let galleryWorst = 0;
for (let i = -WARM_UP; i < INTERACTIONS; i++) {
  const text = SENTENCES[(i + WARM_UP) % 2]!;
  const readings: Awaited<ReturnType<typeof readingCode.readEncoded>>[] = [];
  for (const [index, s] of inTurn(i)) {
    // Encoding is part of what the island does on Enter, so it is timed too.
    const { ms, value } = await timed(() => s.readEncoded(s.engine, s.model, s.encode(text)));
    if (i >= 0) galleryTimes[index]!.push(ms);
    readings[index] = value;
  }
  const [first, ...rest] = readings;
  for (const other of rest) first!.weights.forEach((layer, l) => layer.forEach((head, h) => head.forEach((row, r) => (galleryWorst = Math.max(galleryWorst, largestDifference(row, other!.weights[l]![h]![r]!))))));
}
if (galleryWorst > WEIGHTS_TOLERANCE) disagreements += 1;
console.log(`\n1. Head gallery, a sentence read (${config.layers} layers × ${config.heads} heads, ${INTERACTIONS} interactions), ms:`);
for (const [index, s] of sides.entries()) console.log(`   ${s.name.padEnd(width)} ${summary(galleryTimes[index]!)}`);
console.log(`   ${others} vs the CPU, largest difference in any head's weights: ${galleryWorst.toExponential(2)} (allowed ${WEIGHTS_TOLERANCE})`);

// ---------- 2. One generation step ----------

const stepTimes = sides.map((): number[] => []);
const startAll = () => Promise.all(sides.map((s) => s.Generation.start(s.engine, s.model, s.encode(PROMPT))));
let live = await startAll();
let steps = 0;
let stepWorst = 0;
let cacheWorst = 0;
let restarts = 0;
while (steps < INTERACTIONS + WARM_UP) {
  if (live.some((g) => g.end)) {
    // Every column must have written the same text, so they end together; the check before the restart compares the cache with a full recomputation.
    if (!live.every((g) => g.end)) disagreements += 1;
    for (const [index, s] of sides.entries()) cacheWorst = Math.max(cacheWorst, (await live[index]!.difference(s.engine)).largest);
    live = await startAll();
    restarts += 1;
    continue;
  }
  const views: ReturnType<(typeof live)[number]['view']>[] = [];
  for (const [index, s] of inTurn(steps)) {
    const generation = live[index]!;
    const { ms, value } = await timed(async () => {
      await generation.step(s.engine);
      return generation.view();
    });
    if (steps >= WARM_UP) stepTimes[index]!.push(ms);
    views[index] = value;
  }
  const [first, ...rest] = views;
  for (const other of rest) {
    if (first!.next !== other!.next) disagreements += 1;
    first!.weights.forEach((layer, l) => layer.forEach((rows, h) => (stepWorst = Math.max(stepWorst, largestDifference(rows.at(-1)!, other!.weights[l]![h]!.at(-1)!)))));
  }
  steps += 1;
}
if (stepWorst > WEIGHTS_TOLERANCE || cacheWorst > LOGITS_TOLERANCE) disagreements += 1;
console.log(`\n2. Generation, one step through the KV cache (prompt "${PROMPT}", ${INTERACTIONS} steps, ${restarts} restarts), ms:`);
for (const [index, s] of sides.entries()) console.log(`   ${s.name.padEnd(width)} ${summary(stepTimes[index]!)}`);
console.log(`   ${others} vs the CPU, largest difference in a step's new weights: ${stepWorst.toExponential(2)} (allowed ${WEIGHTS_TOLERANCE})`);
console.log(`   Cached step vs the whole prefix recomputed, largest difference in logits and weights: ${cacheWorst.toExponential(2)} (allowed ${LOGITS_TOLERANCE})`);

for (const s of sides) s.engine.dispose();
revision?.remove();
if (disagreements > 0) {
  console.log(`\n${disagreements} disagreement(s) between the columns: see above.`);
  process.exit(2);
}
