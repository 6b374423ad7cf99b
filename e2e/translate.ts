/**
 * The translation model's greedy translation of one English text, in Node on
 * the CPU engine, through the models package: what the "self vs cross" tests
 * expect the page to show. Playwright cannot load the packages' sources (the
 * engine imports its WebGPU kernels as `?raw`), so the tests run this with the
 * repository's TypeScript hook and read the JSON it prints:
 *
 *   node --experimental-transform-types --import ./scripts/resolve-ts.mjs e2e/translate.ts "the cat sat ."
 */
import { createEngine } from '@attention-guide/attention';
import { translate } from '@attention-guide/models/translation';
import type { Seq2SeqConfig } from '@attention-guide/models/model';
import { readShipped } from '@attention-guide/models/shipped';
import { encode } from '@attention-guide/models/tokenize';

const model = readShipped('translator');
const encoded = encode(process.argv[2] ?? '', model.vocabulary['source']!, (model.params.config as Seq2SeqConfig).maxSourceLength);
if (!encoded.ok) throw new Error(encoded.message);
const engine = await createEngine({ prefer: 'cpu' });
const result = await translate(engine, model, encoded.value.ids);
engine.dispose();
console.log(JSON.stringify({ english: encoded.value.words, french: result.words }));
