/** What a link, an embed page or the custom element's attributes can set in the self- and cross-attention demo. */
import type { Fields } from '../../lib/share';
import { TRANSLATOR } from '../../lib/model-shape';

const HEAD = `counted from 0 (0 to ${TRANSLATOR.heads - 1})`;

export const FIELDS = {
  text: { kind: 'text', maxLength: 500, doc: 'The English sentence the model translates (words it does not know are read as <unk>).' },
  layer: { kind: 'int', min: 0, max: TRANSLATOR.encoderLayers - 1, doc: `The encoder layer shown, counted from 0 (0 to ${TRANSLATOR.encoderLayers - 1}).` },
  head: { kind: 'int', min: 0, max: TRANSLATOR.heads - 1, doc: `The encoder head shown, ${HEAD}.` },
  'self-head': { kind: 'int', min: 0, max: TRANSLATOR.heads - 1, doc: `The decoder self-attention head shown, ${HEAD}.` },
  'cross-head': { kind: 'int', min: 0, max: TRANSLATOR.heads - 1, doc: `The cross-attention head shown, ${HEAD}.` },
  french: { kind: 'int', min: 0, max: TRANSLATOR.maxTargetLength, doc: 'The picked French position, counted from 0 (0 is <bos>).' },
  english: { kind: 'int', min: 0, max: TRANSLATOR.maxTargetLength - 1, doc: 'The picked English token, counted from 0.' },
} as const satisfies Fields;
