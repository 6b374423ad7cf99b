/** What a link, an embed page or the custom element's attributes can set in the concatenate the heads, then project demo. */
import type { Fields } from '../../lib/share';
import { DECODER } from '../../lib/model-shape';

export const FIELDS = {
  layer: { kind: 'int', min: 0, max: DECODER.layers - 1, doc: `The attention layer, counted from 0 (0 to ${DECODER.layers - 1}).` },
  head: { kind: 'int', min: 0, max: DECODER.heads - 1, doc: `The head whose columns of the concatenation (and rows of W_O) are followed, counted from 0 (0 to ${DECODER.heads - 1}).` },
  token: { kind: 'int', min: 0, max: DECODER.maxLength - 1, doc: 'The token whose row is followed, counted from 0: 0 is the start token, 1 the first word of the running sentence; it must be in the sentence.' },
} as const satisfies Fields;
