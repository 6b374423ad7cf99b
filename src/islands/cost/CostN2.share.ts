/** What a link, an embed page or the custom element's attributes can set in the cost of n² demo. */
import type { Fields } from '../../lib/share';
import { HEAD_DIMS, HEADS_MAX, LAYERS_MAX, LENGTH_MAX, LENGTH_MIN, PRECISIONS } from './cost';

export const FIELDS = {
  n: { kind: 'int', min: LENGTH_MIN, max: LENGTH_MAX, doc: `The sequence length n in tokens, ${LENGTH_MIN} to ${LENGTH_MAX}.` },
  heads: { kind: 'int', min: 1, max: HEADS_MAX, doc: `The number of heads h, 1 to ${HEADS_MAX}.` },
  layers: { kind: 'int', min: 1, max: LAYERS_MAX, doc: `The number of layers, 1 to ${LAYERS_MAX}.` },
  dk: { kind: 'choice', values: HEAD_DIMS.map(String), doc: `The head width d_k: ${HEAD_DIMS.join(', ')}.` },
  precision: { kind: 'choice', values: PRECISIONS, doc: `The number format of each score: ${PRECISIONS.join(', ')}.` },
} as const satisfies Fields;
