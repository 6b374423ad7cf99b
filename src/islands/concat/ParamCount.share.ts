/** What a link, an embed page or the custom element's attributes can set in the parameters of multi-head attention demo. */
import type { Fields } from '../../lib/share';
import { DECODER } from '../../lib/model-shape';
import { divisors } from './params';

/** The trained decoder's d_model. */
export const TRAINED_WIDTH = DECODER.dModel;
const HEADS = divisors(TRAINED_WIDTH).map(String);

export const FIELDS = {
  heads: { kind: 'choice', values: HEADS, doc: `The number of heads h the trained model’s width d_model = ${TRAINED_WIDTH} is split into: ${HEADS.join(', ')}.` },
} as const satisfies Fields;
