/**
 * The models' code that src/lib/models.ts loads on demand, and nothing else:
 * a dynamically imported module keeps everything it exports, so importing
 * the models package's inference module itself would bring the cached
 * decoding and the translator's code to every page that reads the decoder.
 */
export { loadModel, runDecoder } from '@attention-guide/models/inference';
export { encode } from '@attention-guide/models/tokenize';
export { BOS } from '@attention-guide/models/vocabulary';
