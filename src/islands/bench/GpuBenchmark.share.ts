/** What a link, an embed page or the custom element's attributes can set in the in-page benchmark (the sizes to time; the timings are the reader's own). */
import type { Fields } from '../../lib/share';
import { LIMITS } from './bench';

export const FIELDS = {
  n: { kind: 'choice', values: LIMITS.map(String), doc: `The largest N to time, up to which the sizes run: ${LIMITS.join(', ')}. The benchmark still waits for Run.` },
} as const satisfies Fields;
