/** What a link, an embed page or the custom element's attributes can set in the √d_k demo. */
import type { Fields } from '../../lib/share';
import { WIDTHS } from './scaling';

export const FIELDS = {
  source: { kind: 'choice', values: ['random', 'model'], doc: 'Random queries and keys, or the trained model’s.' },
  dk: { kind: 'choice', values: WIDTHS.map(String), doc: 'The width d_k of each random query and key: a power of 2 from 1 to 1024.' },
  divisor: { kind: 'switch', doc: 'Whether the scores are divided by √d_k: on or off.' },
  seed: { kind: 'int', min: 1, max: 1_000_000, doc: 'Which random draw (the same number gives the same draw).' },
} as const satisfies Fields;
