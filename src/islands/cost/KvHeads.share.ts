/** What a link, an embed page or the custom element's attributes can set in the shared key/value heads demo. */
import type { Fields } from '../../lib/share';
import { PRECISIONS } from './cost';
import { CACHE_LIMITS, KV_CHOICES, QUERY_HEADS } from './kv';

export const FIELDS = {
  kv: { kind: 'choice', values: KV_CHOICES.map(String), doc: `Key/value heads in the small run drawn, for its ${QUERY_HEADS} query heads: ${KV_CHOICES.join(', ')}.` },
  layers: { kind: 'int', min: 1, max: CACHE_LIMITS.layers, doc: `The calculator’s layers, 1 to ${CACHE_LIMITS.layers}.` },
  'kv-heads': { kind: 'int', min: 1, max: CACHE_LIMITS.kvHeads, doc: `The calculator’s key/value heads, 1 to ${CACHE_LIMITS.kvHeads}.` },
  dk: { kind: 'int', min: 1, max: CACHE_LIMITS.headDim, doc: `The calculator’s head width, 1 to ${CACHE_LIMITS.headDim}.` },
  tokens: { kind: 'int', min: 1, max: CACHE_LIMITS.tokens, doc: `The calculator’s tokens in the cache, 1 to ${CACHE_LIMITS.tokens}.` },
  batch: { kind: 'int', min: 1, max: CACHE_LIMITS.batch, doc: `The calculator’s batch, 1 to ${CACHE_LIMITS.batch}.` },
  precision: { kind: 'choice', values: PRECISIONS, doc: `The calculator’s number format: ${PRECISIONS.join(', ')}.` },
} as const satisfies Fields;
