/** What a link, an embed page or the custom element's attributes can set in the tokens sharing their attention demo. */
import type { Fields } from '../../lib/share';
import { DECODER } from '../../lib/model-shape';

/** The longest sentence a link can give: more than the model's 63 words would take (the rest is cut, as when typed). */
export const TEXT_MAX = 400;

export const FIELDS = {
  text: { kind: 'text', maxLength: TEXT_MAX, doc: 'The sentence the model reads, as if typed and shown; words it does not know are read as <unk> and marked.' },
  layer: { kind: 'int', min: 0, max: DECODER.layers - 1, doc: 'The layer: 0 or 1.' },
  head: { kind: 'int', min: 0, max: DECODER.heads - 1, doc: 'The head of that layer: 0 to 3.' },
  token: { kind: 'int', min: 0, max: DECODER.maxLength - 1, doc: 'The picked token, counted from 0: 0 is the start token, 1 the first word; it must be in the sentence.' },
} as const satisfies Fields;
