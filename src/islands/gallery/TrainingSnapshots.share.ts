/** What a link, an embed page or the custom element's attributes can set in the heads specialising during training demo. */
import type { Fields } from '../../lib/share';
import { HEAD_FIELDS } from './HeadGallery.share';

// The shipped decoder saved 12 snapshots; test/islands-share.test.ts checks the limit against it.
export const FIELDS = {
  snapshot: { kind: 'int', min: 1, max: 12, doc: 'The training snapshot, counted from 1 (before training) to 12 (the end of training, the shipped weights).' },
  ...HEAD_FIELDS,
} as const satisfies Fields;
