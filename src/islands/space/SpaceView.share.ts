/** What a link, an embed page or the custom element's attributes can set in the queries and keys in 3d demo. */
import { DECODER } from '../../lib/model-shape';
import type { Fields } from '../../lib/share';
import { SOURCES } from './vectors';

const coordinate = (axis: number) =>
  ({
    kind: 'number',
    min: -100,
    max: 100,
    doc: `Where the query’s tip was moved to along drawn axis ${axis} (for a head of the model, the ${['first', 'second', 'third'][axis - 1]} drawn direction); it must be inside the picture.`,
  }) as const;

export const FIELDS = {
  vectors: { kind: 'choice', values: SOURCES.map((s) => s.id), doc: `Whose vectors: ${SOURCES.map((s) => `${s.id} (${s.label})`).join('; ')}.` },
  token: { kind: 'int', min: 0, max: DECODER.maxLength - 1, doc: 'The token whose query is drawn, counted from 0; it must be one of the vectors’ tokens.' },
  values: { kind: 'switch', doc: 'Whether the values and the output are drawn too: on or off.' },
  q1: coordinate(1),
  q2: coordinate(2),
  q3: coordinate(3),
} as const satisfies Fields;
