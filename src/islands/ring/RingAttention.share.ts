/** What a link, an embed page or the custom element's attributes can set in the ring attention demo. */
import type { Fields } from '../../lib/share';
import { LIMITS } from './ring';

const [P_MIN, P_MAX] = LIMITS.devices;
const [N_MIN, N_MAX] = LIMITS.tokens;

export const FIELDS = {
  devices: { kind: 'int', min: P_MIN, max: P_MAX, doc: `The devices P on the ring, ${P_MIN} to ${P_MAX}; P must divide N.` },
  tokens: { kind: 'int', min: N_MIN, max: N_MAX, doc: `The sequence length N, ${N_MIN} to ${N_MAX}: a multiple of P.` },
  width: { kind: 'int', min: LIMITS.width[0], max: LIMITS.width[1], doc: `The width d of each query, key and value, ${LIMITS.width[0]} to ${LIMITS.width[1]}.` },
  seed: { kind: 'int', min: 0, max: 1_000_000, doc: 'Which random draw of Q, K and V (the same number gives the same draw).' },
  round: { kind: 'int', min: 1, max: P_MAX, doc: 'The round shown, counted from 1 (1 to P).' },
} as const satisfies Fields;
