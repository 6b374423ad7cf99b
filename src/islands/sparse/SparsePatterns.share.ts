/** What a link, an embed page or the custom element's attributes can set in the sparse patterns demo. */
import type { Fields } from '../../lib/share';
import { DECODER } from '../../lib/model-shape';
import { MAX_TOKENS } from '../causal/CausalMask.share';
import { PATTERNS } from './patterns';

/** Each number is checked again against the passage's length (and the summary against the stride), as the boxes check it. */
const NUMBER = { kind: 'int', min: 0, max: MAX_TOKENS } as const;

export const FIELDS = {
  pattern: { kind: 'choice', values: PATTERNS, doc: `The sparse pattern: ${PATTERNS.join(', ')}.` },
  window: { ...NUMBER, doc: 'The local window (window and global patterns): from 1 to the passage’s length.' },
  stride: { ...NUMBER, doc: 'The stride (strided and fixed patterns): from 1 to the passage’s length.' },
  summary: { ...NUMBER, doc: 'The summary size (fixed pattern): from 1 to the stride.' },
  globals: { ...NUMBER, doc: 'The global tokens at the start (global pattern): from 0 to the passage’s length.' },
  block: { ...NUMBER, doc: 'The block size (block-sparse pattern): from 1 to the passage’s length.' },
  layer: { kind: 'int', min: 0, max: DECODER.layers - 1, doc: `The decoder layer, counted from 0 (0 to ${DECODER.layers - 1}).` },
  head: { kind: 'int', min: 0, max: DECODER.heads - 1, doc: `The head in that layer, counted from 0 (0 to ${DECODER.heads - 1}).` },
  token: { kind: 'int', min: 0, max: MAX_TOKENS - 1, doc: 'The selected row: the query token, counted from 0 (0 is <bos>).' },
  key: { kind: 'int', min: 0, max: MAX_TOKENS - 1, doc: 'The selected cell in that row: the key token, counted from 0 (0 is <bos>).' },
} as const satisfies Fields;
