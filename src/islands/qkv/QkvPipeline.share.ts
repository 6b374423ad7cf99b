/** What a link, an embed page or the custom element's attributes can set in the attention formula, matrix by matrix demo. */
import type { Fields } from '../../lib/share';
import { MAX_DK, MAX_TOKENS, MIN_DK, MIN_TOKENS } from './pipeline';

export const FIELDS = {
  tokens: { kind: 'int', min: MIN_TOKENS, max: MAX_TOKENS, doc: `How many tokens (rows of X): ${MIN_TOKENS} to ${MAX_TOKENS}.` },
  dk: { kind: 'int', min: MIN_DK, max: MAX_DK, doc: `The width d_k of each query, key and value: ${MIN_DK} to ${MAX_DK}.` },
  mask: { kind: 'switch', doc: 'Whether the causal mask hides later keys: on or off.' },
  cells: {
    kind: 'text',
    maxLength: 2000,
    doc: 'The input numbers changed from their starting values, separated by spaces, each as matrix:row:column=value with matrix x, wq, wk or wv and rows and columns counted from 0, e.g. “x:0:1=2.5 wq:3:0=-1”.',
  },
} as const satisfies Fields;
