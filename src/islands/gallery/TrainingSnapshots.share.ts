/** What a link, an embed page or the custom element's attributes can set in the heads specialising during training demo. */
import type { Fields } from '../../lib/share';
import { DECODER } from '../../lib/model-shape';
import { HEAD_FIELDS } from './HeadGallery.share';

export const FIELDS = {
  snapshot: { kind: 'int', min: 1, max: DECODER.snapshots, doc: `The training snapshot, counted from 1 (before training) to ${DECODER.snapshots} (the end of training, the shipped weights).` },
  ...HEAD_FIELDS,
} as const satisfies Fields;
