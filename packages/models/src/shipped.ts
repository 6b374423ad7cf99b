/**
 * The shipped models as files on disk (Node only): public/models/NAME.json
 * and NAME.bin, as the site serves them.
 */

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '@attention-guide/attention';
import { decoderPlan, SPLIT_SEED, type ModelName } from './configs';
import { trainingSplits } from './data';
import { evaluateDecoder, evaluateTranslation, type DecoderEvaluation, type TranslationEvaluation } from './evaluate';
import { loadModel, type LoadedModel } from './inference';
import { summarize, summaryMarkdown, type Summary } from './summary';
import type { ModelManifest } from './weights';

/** public/models/, found from this file (bundlers that move this file pass `dir` instead). */
export const MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../public/models');

export function readManifest(name: ModelName, dir = MODELS_DIR): ModelManifest {
  return JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as ModelManifest;
}

export function readShipped(name: ModelName, snapshot?: number, dir = MODELS_DIR): LoadedModel {
  const manifest = readManifest(name, dir);
  return loadModel(manifest, new Uint8Array(readFileSync(join(dir, manifest.file))), snapshot);
}

export interface Measurement {
  decoder: DecoderEvaluation;
  translator: TranslationEvaluation;
  summary: Summary;
  /** HEADS.md as `npm run heads` writes it. */
  markdown: string;
}

/**
 * Measures the shipped models on the held-out test split: the decoder on the
 * kinds of sentence it was trained on (and, apart, on the others), the
 * translation model on all of them.
 */
export async function measureShipped(engine: Engine): Promise<Measurement> {
  const test = trainingSplits(SPLIT_SEED).test;
  const kinds = decoderPlan().settings.kinds;
  const learned = test.filter((p) => !kinds || kinds.includes(p.kind));
  const other = test.filter((p) => kinds && !kinds.includes(p.kind));
  const decoderModel = readShipped('decoder');
  const decoder = await evaluateDecoder(engine, decoderModel, learned);
  const untrained = other.length > 0 ? { kinds: [...new Set(other.map((p) => p.kind))], evaluation: await evaluateDecoder(engine, decoderModel, other) } : undefined;
  const translator = await evaluateTranslation(engine, readShipped('translator'), test);
  const summary = summarize(decoder, translator, untrained);
  const counts = [...new Set(test.map((p) => p.kind))].map((k) => `${test.filter((p) => p.kind === k).length} ${k}`).join(', ');
  return { decoder, translator, summary, markdown: summaryMarkdown(summary, `${test.length} sentences: ${counts}`) };
}
