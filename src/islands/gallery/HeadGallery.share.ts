/** What a link, an embed page or the custom element's attributes can set in the every head of a trained model demo. */
import type { Fields } from '../../lib/share';
import { DECODER } from '../../lib/model-shape';

/**
 * The head picked and the cell picked in its enlarged map, shared with the
 * training snapshots. The limits are the shipped decoder's (2 layers of 4
 * heads, 64 positions); test/islands-share.test.ts checks them against it.
 */
export const HEAD_FIELDS = {
  layer: { kind: 'int', min: 0, max: DECODER.layers - 1, doc: `The layer of the enlarged head, counted from 0 (0 to ${DECODER.layers - 1}).` },
  head: { kind: 'int', min: 0, max: DECODER.heads - 1, doc: `The enlarged head of that layer, counted from 0 (0 to ${DECODER.heads - 1}).` },
  query: { kind: 'int', min: 0, max: DECODER.maxLength - 1, doc: 'The row of the cell picked in the enlarged map: the reading token, counted from 0 (0 is the start token); it must be in the sentence.' },
  key: { kind: 'int', min: 0, max: DECODER.maxLength - 1, doc: 'The column of that cell: the token read, counted from 0; it must be in the sentence.' },
} as const satisfies Fields;

export const FIELDS = {
  text: { kind: 'text', maxLength: 400, doc: 'The sentence every head reads, as if typed and shown; words the model does not know are read as <unk> and marked.' },
  ...HEAD_FIELDS,
} as const satisfies Fields;
