/** What a link, an embed page or the custom element's attributes can set in the KV cache demo. */
import type { Fields } from '../../lib/share';
import { DECODER } from '../../lib/model-shape';
import { MAX_TOKENS } from './CausalMask.share';

export const FIELDS = {
  text: { kind: 'text', maxLength: 500, doc: 'The prompt the model reads into its cache (words it does not know are read as <unk>).' },
  step: { kind: 'int', min: 0, max: MAX_TOKENS - 1, doc: 'How many tokens have been generated after the prompt: 0 shows the prompt read.' },
  layer: { kind: 'int', min: 0, max: DECODER.layers - 1, doc: `The layer of the head whose map is shown, counted from 0 (0 to ${DECODER.layers - 1}).` },
  head: { kind: 'int', min: 0, max: DECODER.heads - 1, doc: `The head whose map is shown, counted from 0 (0 to ${DECODER.heads - 1}).` },
  token: { kind: 'int', min: 0, max: MAX_TOKENS - 1, doc: 'The selected row of the map, counted from 0 (0 is <bos>); without it, the newest row.' },
  key: { kind: 'int', min: 0, max: MAX_TOKENS - 1, doc: 'The selected cell in that row: the key, counted from 0 (0 is <bos>).' },
} as const satisfies Fields;
