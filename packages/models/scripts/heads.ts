/**
 * `npm run heads`: measures the shipped models on the held-out test split and
 * writes what each head does to packages/models/HEADS.md and
 * public/models/heads.json (for the site's demos).
 */

import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '@attention-guide/attention';
import { SPLIT_SEED } from '../src/configs';
import { trainingSplits } from '../src/data';
import { evaluateDecoder, evaluateTranslation } from '../src/evaluate';
import { MODELS_DIR, readShipped } from '../src/shipped';
import { summarize, summaryMarkdown } from '../src/summary';

const started = performance.now();
const engine = await createEngine({ prefer: 'cpu' });
const test = trainingSplits(SPLIT_SEED).test;
const counts = ['antecedent', 'repetition', 'phrase'].map((k) => `${test.filter((p) => p.kind === k).length} ${k}`).join(', ');
console.log(`Evaluating on ${test.length} held-out sentences (${counts}) with the ${engine.backend.kind} backend…`);
const decoder = await evaluateDecoder(engine, readShipped('decoder'), test);
const translator = await evaluateTranslation(engine, readShipped('translator'), test);
const summary = summarize(decoder, translator);
const markdown = summaryMarkdown(summary, `${test.length} sentences: ${counts}`);
const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(resolve(here, '../HEADS.md'), markdown);
writeFileSync(join(MODELS_DIR, 'heads.json'), `${JSON.stringify(summary, (_, v: unknown) => (typeof v === 'number' ? Math.round(v * 1e4) / 1e4 : v), 1)}\n`);
console.log(markdown);
console.log(`Wrote packages/models/HEADS.md and public/models/heads.json in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
engine.dispose();
