/** What a link, an embed page or the custom element's attributes can set in the attention as a library search demo. */
import type { Fields } from '../../lib/share';
import { TEMPERATURES } from './catalogue';

/** Each temperature as a link writes it: two decimals at most (2.24 is √5). */
export const TEMPERATURE_NAMES = TEMPERATURES.map((t) => String(Number(t.toFixed(2))));

export const FIELDS = {
  text: { kind: 'text', maxLength: 400, doc: 'The search, as if typed: words outside the search’s word list are ignored, and only the first 40 words are read.' },
  temperature: { kind: 'choice', values: TEMPERATURE_NAMES, doc: `The softmax temperature: ${TEMPERATURE_NAMES.join(', ')} (2.24 is √5, the formula’s √d_k).` },
} as const satisfies Fields;
