/** What a link, an embed page or the custom element's attributes can set in the causal mask demo. */
import type { Fields } from '../../lib/share';
import { DECODER } from '../../lib/model-shape';

/** The most tokens a decoder input holds (its maxLength), the bound of a token field before the sentence is known. */
export const MAX_TOKENS = DECODER.maxLength;

export const FIELDS = {
  mask: { kind: 'switch', doc: 'Whether the causal mask is on (−∞ above the diagonal): on or off.' },
  layer: { kind: 'int', min: 0, max: DECODER.layers - 1, doc: `The decoder layer, counted from 0 (0 to ${DECODER.layers - 1}).` },
  head: { kind: 'int', min: 0, max: DECODER.heads - 1, doc: `The head in that layer, counted from 0 (0 to ${DECODER.heads - 1}).` },
  token: { kind: 'int', min: 0, max: MAX_TOKENS - 1, doc: 'The selected row: the query token, counted from 0 (0 is <bos>).' },
  key: { kind: 'int', min: 0, max: MAX_TOKENS - 1, doc: 'The selected cell in that row: the key token, counted from 0 (0 is <bos>).' },
} as const satisfies Fields;
