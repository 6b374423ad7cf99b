/** What a link, an embed page or the custom element's attributes can set in the FlashAttention tiles demo. */
import type { Fields } from '../../lib/share';
import { LIMITS } from './tiles';

const [N_MIN, N_MAX] = LIMITS.n;

export const FIELDS = {
  n: { kind: 'int', min: N_MIN, max: N_MAX, doc: `The number of tokens N, ${N_MIN} to ${N_MAX}.` },
  d: { kind: 'int', min: LIMITS.d[0], max: LIMITS.d[1], doc: `The width d of each query, key and value, ${LIMITS.d[0]} to ${LIMITS.d[1]}.` },
  br: { kind: 'int', min: 1, max: N_MAX, doc: 'B_r, the query rows per block: 1 to N.' },
  bc: { kind: 'int', min: 1, max: N_MAX, doc: 'B_c, the keys per block: 1 to N.' },
  seed: { kind: 'int', min: LIMITS.seed[0], max: LIMITS.seed[1], doc: `Which random Q, K and V (the same number gives the same draw), ${LIMITS.seed[0]} to ${LIMITS.seed[1]}.` },
  step: { kind: 'int', min: 0, max: N_MAX * N_MAX, doc: 'The step of the pass shown: 0 before the first block, up to the number of blocks.' },
} as const satisfies Fields;
