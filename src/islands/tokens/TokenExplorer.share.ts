/** What a link, an embed page or the custom element's attributes can set in the tokens sharing their attention demo. */
import type { Fields } from '../../lib/share';

/** The longest sentence a link can give: more than the model's 63 words would take (the rest is cut, as when typed). */
export const TEXT_MAX = 400;

// The limits are the shipped decoder's (2 layers of 4 heads, 64 positions); test/islands-share.test.ts checks them against it.
export const FIELDS = {
  text: { kind: 'text', maxLength: TEXT_MAX, doc: 'The sentence the model reads, as if typed and shown; words it does not know are read as <unk> and marked.' },
  layer: { kind: 'int', min: 0, max: 1, doc: 'The layer: 0 or 1.' },
  head: { kind: 'int', min: 0, max: 3, doc: 'The head of that layer: 0 to 3.' },
  token: { kind: 'int', min: 0, max: 63, doc: 'The picked token, counted from 0: 0 is the start token, 1 the first word; it must be in the sentence.' },
} as const satisfies Fields;
