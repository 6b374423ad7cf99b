/**
 * `npm run train`: trains both models, one per core (worker threads), with a
 * progress bar and the loss as it goes, and writes their weights, snapshots
 * and manifests to public/models/ (served by the site).
 *
 *   npm run train               train and write the files
 *   npm run train -- --check    train and compare with the shipped files instead of writing
 *   npm run train -- --only decoder|translator
 *   npm run train -- --steps 50  a short run to try the pipeline (its files fail the shipped-model tests)
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { decoderPlan, SPLIT_SEED, translatorPlan, type ModelName } from '../src/configs';
import { trainingSplits, Vocabulary } from '../src/data';
import { GRAMMAR_VERSION } from '../src/grammar';
import { paramSpecs } from '../src/model';
import { MODELS_DIR } from '../src/shipped';
import { decoderLoss, seq2seqLoss, train } from '../src/train';
import { decodeFinal, encodeWeights, fromHalf, toHalf, WEIGHTS_FORMAT, type ModelManifest } from '../src/weights';


interface Done {
  type: 'done';
  name: ModelName;
  seconds: number;
  final: Float32Array;
  snapshots: Array<{ step: number; trainLoss: number; validationLoss: number; values: Float32Array }>;
}
type Message = { type: 'progress'; name: ModelName; step: number; steps: number; loss: number } | Done;

// Workers get the override from their parent (workerData), not from their own argv.
const stepsAt = process.argv.indexOf('--steps');
const stepsOverride: number | undefined = isMainThread ? (stepsAt >= 0 ? Number(process.argv[stepsAt + 1]) : undefined) : (workerData as { steps?: number }).steps;
if (stepsOverride !== undefined && !(Number.isInteger(stepsOverride) && stepsOverride > 0)) throw new Error('--steps takes a whole number above 0.');

function plan(name: ModelName) {
  const p = name === 'decoder' ? decoderPlan() : translatorPlan();
  if (stepsOverride !== undefined) p.settings = { ...p.settings, steps: stepsOverride, warmupSteps: Math.min(p.settings.warmupSteps, stepsOverride) };
  return p;
}

function trainInWorker(name: ModelName): void {
  const splits = trainingSplits(SPLIT_SEED);
  const en = Vocabulary.of('en');
  const p = plan(name);
  const loss = p.config.kind === 'decoder' ? decoderLoss(en) : seq2seqLoss(en, Vocabulary.of('fr'));
  const started = performance.now();
  let last = 0;
  const result = train(p.config, p.settings, loss, splits, ({ step, steps, loss: value }) => {
    if (step === steps || performance.now() - last > 250) {
      last = performance.now();
      parentPort!.postMessage({ type: 'progress', name, step, steps, loss: value } satisfies Message);
    }
  });
  const done: Done = {
    type: 'done',
    name,
    seconds: (performance.now() - started) / 1000,
    final: result.params.values,
    snapshots: result.snapshots,
  };
  parentPort!.postMessage(done);
}

function bar(fraction: number, width = 24): string {
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

function manifestFor(done: Done, bytes: number, offsets: number[]): ModelManifest {
  const p = plan(done.name);
  const en = Vocabulary.of('en').words as string[];
  return {
    format: WEIGHTS_FORMAT,
    name: done.name,
    grammarVersion: GRAMMAR_VERSION,
    config: p.config,
    vocabulary: p.config.kind === 'decoder' ? { tokens: en } : { source: en, target: Vocabulary.of('fr').words as string[] },
    tensors: paramSpecs(p.config).map((s) => ({ name: s.name, shape: [s.rows, s.cols] })),
    file: `${done.name}.bin`,
    bytes,
    training: { seed: p.settings.seed, steps: p.settings.steps, batchSize: p.settings.batchSize, learningRate: p.settings.learningRate, seconds: Math.round(done.seconds) },
    final: { offset: 0, encoding: 'float16' },
    snapshots: done.snapshots.map((s, i) => ({ step: s.step, trainLoss: round(s.trainLoss), validationLoss: round(s.validationLoss), offset: offsets[i]! })),
  };
}

const round = (x: number) => Math.round(x * 1e5) / 1e5;

/** Largest difference between freshly trained weights and shipped float16 ones, and the largest float16 rounding of those weights. */
function compare(fresh: Float32Array, shipped: Float32Array): { maxDiff: number; maxRounding: number } {
  let maxDiff = 0;
  let maxRounding = 0;
  for (let i = 0; i < fresh.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(fresh[i]! - shipped[i]!));
    maxRounding = Math.max(maxRounding, Math.abs(fresh[i]! - fromHalf(toHalf(fresh[i]!))));
  }
  return { maxDiff, maxRounding };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const onlyAt = args.indexOf('--only');
  const names: ModelName[] = onlyAt >= 0 ? [args[onlyAt + 1] as ModelName] : ['decoder', 'translator'];
  if (names.some((n) => n !== 'decoder' && n !== 'translator')) throw new Error('--only takes decoder or translator.');

  const tty = process.stdout.isTTY;
  const state = new Map<ModelName, { step: number; steps: number; loss: number; printed: number }>();
  const started = performance.now();
  const draw = (final = false) => {
    const lines = names.map((n) => {
      const s = state.get(n) ?? { step: 0, steps: plan(n).settings.steps, loss: NaN, printed: 0 };
      const elapsed = ((performance.now() - started) / 1000).toFixed(0);
      return `${n.padEnd(10)} ${bar(s.step / s.steps)} ${String(s.step).padStart(5)}/${s.steps}  loss ${Number.isNaN(s.loss) ? '  -   ' : s.loss.toFixed(4)}  ${elapsed}s`;
    });
    if (tty) {
      process.stdout.write(`\x1b[${names.length}F` + lines.map((l) => `\x1b[2K${l}`).join('\n') + '\n');
    } else if (final) {
      console.log(lines.join('\n'));
    }
  };
  if (tty) process.stdout.write('\n'.repeat(names.length));
  console.log(`Training ${names.join(' and ')} (grammar version ${GRAMMAR_VERSION}), one worker each.`);

  const results = await Promise.all(
    names.map(
      (name) =>
        new Promise<Done>((resolveDone, reject) => {
          const worker = new Worker(new URL(import.meta.url), { workerData: { name, steps: stepsOverride } });
          worker.on('message', (m: Message) => {
            if (m.type === 'progress') {
              const s = state.get(name) ?? { step: 0, steps: m.steps, loss: NaN, printed: 0 };
              Object.assign(s, { step: m.step, steps: m.steps, loss: m.loss });
              state.set(name, s);
              if (tty) draw();
              else if (m.step >= s.printed + m.steps / 10 || m.step === m.steps) {
                s.printed = m.step;
                console.log(`${name.padEnd(10)} ${bar(m.step / m.steps)} ${m.step}/${m.steps}  loss ${m.loss.toFixed(4)}  ${((performance.now() - started) / 1000).toFixed(0)}s`);
              }
            } else resolveDone(m);
          });
          worker.on('error', reject);
          worker.on('exit', (code) => {
            if (code !== 0) reject(new Error(`The ${name} worker exited with code ${code}.`));
          });
        }),
    ),
  );
  draw(true);

  let failed = false;
  for (const done of results) {
    const p = plan(done.name);
    const last = done.snapshots.at(-1)!;
    console.log(`${done.name}: ${p.settings.steps} steps in ${done.seconds.toFixed(0)} s; final training loss ${last.trainLoss.toFixed(4)}, validation loss ${last.validationLoss.toFixed(4)}`);
    const { bytes, offsets } = encodeWeights(p.config, done.final, done.snapshots.map((s) => s.values));
    const manifest = manifestFor(done, bytes.length, offsets);
    const binPath = join(MODELS_DIR, `${done.name}.bin`);
    const jsonPath = join(MODELS_DIR, `${done.name}.json`);
    if (existsSync(jsonPath) && existsSync(binPath)) {
      const shipped = JSON.parse(readFileSync(jsonPath, 'utf8')) as ModelManifest;
      const { maxDiff, maxRounding } = compare(done.final, decodeFinal(shipped, new Uint8Array(readFileSync(binPath))));
      // The shipped weights are float16: a run that reproduces them differs by no more than float16 rounding.
      const ok = maxDiff <= maxRounding + 1e-6;
      console.log(`  against the shipped ${done.name}.bin: largest difference ${maxDiff.toExponential(2)} (float16 rounding is at most ${maxRounding.toExponential(2)}): ${ok ? 'reproduced' : 'DIFFERENT'}`);
      if (check && !ok) failed = true;
    } else if (check) {
      console.log(`  no shipped ${done.name}.bin to compare with`);
      failed = true;
    }
    if (!check) {
      mkdirSync(MODELS_DIR, { recursive: true });
      writeFileSync(binPath, bytes);
      writeFileSync(jsonPath, `${JSON.stringify(manifest, null, 1)}\n`);
      console.log(`  wrote ${binPath} (${(bytes.length / 1024).toFixed(1)} KiB) and ${done.name}.json`);
    }
  }
  console.log(`Done in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  if (failed) process.exitCode = 1;
}

if (isMainThread) {
  await main();
} else {
  trainInWorker((workerData as { name: ModelName }).name);
}
