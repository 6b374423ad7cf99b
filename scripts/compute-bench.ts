/**
 * The model work behind two islands, timed in Node on WebGPU (Dawn, the
 * `webgpu` package) and on the CPU engine side by side in one process (a
 * benchmark: it prints figures; it exits non-zero only when the two
 * backends disagree or WebGPU cannot start):
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
 *   npm run bench:compute   (BENCH_INTERACTIONS=100; VK_ICD_FILENAMES picks the
 *                            Vulkan driver, as for bench:gpu in packages/attention)
 */
import { cpus } from 'node:os';
import { version } from 'node:process';
import { createEngine, type Engine } from '@attention-guide/attention';
import type { DecoderConfig } from '@attention-guide/models/model';
import { readShipped } from '@attention-guide/models/shipped';
import type { Encoded } from '@attention-guide/models/tokenize';
import { startDawn } from '../packages/attention/bench/webgpu';
import { Generation } from '../src/islands/causal/generation';
import { encodeText, readEncoded } from '../src/islands/tokens/reading';
import { percentile } from './percentile.mjs';

const INTERACTIONS = Number(process.env['BENCH_INTERACTIONS'] ?? 100);
const WARM_UP = 5;
/** The sentences bench:islands types into the gallery, and the generation island's prompt. */
const SENTENCES = ['the cat sat on the mat because it was tired .', 'tom met anna and anna thanked tom .'];
const PROMPT = 'the cat';
/** Largest difference allowed between the backends' weights and logits (the islands' tests use 1e-5 for weights). */
const WEIGHTS_TOLERANCE = 1e-5;
const LOGITS_TOLERANCE = 1e-3;

async function startGpu(): Promise<{ engine: Engine | null; note: string }> {
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

const model = readShipped('decoder');
const config = model.params.config as DecoderConfig;
const words = model.vocabulary['tokens']!.words;
const encode = (text: string): Encoded => {
  const encoded = encodeText(text, words, config.maxLength);
  if (!encoded.ok) throw new Error(encoded.message);
  return encoded.value;
};

const cpu = await createEngine({ prefer: 'cpu' });
const gpu = await startGpu();
console.log(`Node ${version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores)`);
console.log(gpu.note);
if (!gpu.engine) process.exit(1);
const engines: Array<[string, Engine]> = [['CPU', cpu], ['WebGPU', gpu.engine]];
let disagreements = 0;

// ---------- 1. The head gallery's text ----------

const galleryTimes = new Map<string, number[]>(engines.map(([name]) => [name, []]));
let galleryWorst = 0;
for (let i = -WARM_UP; i < INTERACTIONS; i++) {
  const text = SENTENCES[(i + WARM_UP) % 2]!;
  const readings = [];
  for (const [name, engine] of engines) {
    // Encoding is part of what the island does on Enter, so it is timed too.
    const { ms, value } = await timed(() => readEncoded(engine, model, encode(text)));
    if (i >= 0) galleryTimes.get(name)!.push(ms);
    readings.push(value);
  }
  const [a, b] = readings;
  a!.weights.forEach((layer, l) => layer.forEach((head, h) => head.forEach((row, r) => (galleryWorst = Math.max(galleryWorst, largestDifference(row, b!.weights[l]![h]![r]!))))));
}
if (galleryWorst > WEIGHTS_TOLERANCE) disagreements += 1;
console.log(`\n1. Head gallery, a sentence read (${config.layers} layers × ${config.heads} heads, ${INTERACTIONS} interactions), ms:`);
for (const [name] of engines) console.log(`   ${name.padEnd(7)} ${summary(galleryTimes.get(name)!)}`);
console.log(`   WebGPU vs CPU, largest difference in any head's weights: ${galleryWorst.toExponential(2)} (allowed ${WEIGHTS_TOLERANCE})`);

// ---------- 2. One generation step ----------

const stepTimes = new Map<string, number[]>(engines.map(([name]) => [name, []]));
const prompt = encode(PROMPT);
const startAll = () => Promise.all(engines.map(([, engine]) => Generation.start(engine, model, prompt)));
let live = await startAll();
let steps = 0;
let stepWorst = 0;
let cacheWorst = 0;
let restarts = 0;
while (steps < INTERACTIONS + WARM_UP) {
  if (live.some((g) => g.end)) {
    // Both backends must have written the same text, so they end together; the check before the restart compares the cache with a full recomputation.
    if (!live.every((g) => g.end)) disagreements += 1;
    for (const [index, [, engine]] of engines.entries()) cacheWorst = Math.max(cacheWorst, (await live[index]!.difference(engine)).largest);
    live = await startAll();
    restarts += 1;
    continue;
  }
  const views = [];
  for (const [index, [name, engine]] of engines.entries()) {
    const generation = live[index]!;
    const { ms, value } = await timed(async () => {
      await generation.step(engine);
      return generation.view();
    });
    if (steps >= WARM_UP) stepTimes.get(name)!.push(ms);
    views.push(value);
  }
  const [a, b] = views;
  if (a!.next !== b!.next) disagreements += 1;
  a!.weights.forEach((layer, l) => layer.forEach((rows, h) => (stepWorst = Math.max(stepWorst, largestDifference(rows.at(-1)!, b!.weights[l]![h]!.at(-1)!)))));
  steps += 1;
}
if (stepWorst > WEIGHTS_TOLERANCE || cacheWorst > LOGITS_TOLERANCE) disagreements += 1;
console.log(`\n2. Generation, one step through the KV cache (prompt "${PROMPT}", ${INTERACTIONS} steps, ${restarts} restarts), ms:`);
for (const [name] of engines) console.log(`   ${name.padEnd(7)} ${summary(stepTimes.get(name)!)}`);
console.log(`   WebGPU vs CPU, largest difference in a step's new weights: ${stepWorst.toExponential(2)} (allowed ${WEIGHTS_TOLERANCE})`);
console.log(`   Cached step vs the whole prefix recomputed, largest difference in logits and weights: ${cacheWorst.toExponential(2)} (allowed ${LOGITS_TOLERANCE})`);

cpu.dispose();
gpu.engine.dispose();
if (disagreements > 0) {
  console.log(`\n${disagreements} disagreement(s) between the backends: see above.`);
  process.exit(2);
}
