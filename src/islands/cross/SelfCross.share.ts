/** What a link, an embed page or the custom element's attributes can set in the self- and cross-attention side by side demo. */
import type { Fields } from '../../lib/share';

export const FIELDS = {} as const satisfies Fields;
