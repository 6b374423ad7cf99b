/**
 * `npm run heads`: measures the shipped models on the held-out test split and
 * writes what each head does to packages/models/HEADS.md and
 * public/models/heads.json (for the site's demos).
 */

import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '@attention-guide/attention';
import { measureShipped, MODELS_DIR } from '../src/shipped';

const started = performance.now();
const engine = await createEngine({ prefer: 'cpu' });
console.log(`Measuring the shipped models on the held-out split with the ${engine.backend.kind} backend…`);
const { summary, markdown } = await measureShipped(engine);
const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(resolve(here, '../HEADS.md'), markdown);
writeFileSync(join(MODELS_DIR, 'heads.json'), `${JSON.stringify(summary, (_, v: unknown) => (typeof v === 'number' ? Math.round(v * 1e4) / 1e4 : v), 1)}\n`);
console.log(markdown);
console.log(`Wrote packages/models/HEADS.md and public/models/heads.json in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
engine.dispose();
