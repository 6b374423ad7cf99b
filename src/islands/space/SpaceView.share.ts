/** What a link, an embed page or the custom element's attributes can set in the queries and keys in 3d demo. */
import type { Fields } from '../../lib/share';

export const FIELDS = {} as const satisfies Fields;
