/**
 * One head of the trained decoder on the running sentence, with and without
 * the causal mask: the same code at build time (Node, CPU engine) and in the
 * reader's browser. The engine computes every stage (scaled scores, masked
 * scores, weights); this file only picks the head and packs the numbers.
 */
import type { Engine } from '@attention-guide/attention';
import { fromBase64, toBase64 } from '../../lib/base64';
import type { DecoderHeads } from '../../lib/models';

export interface MaskView {
  /** Token labels, <bos> first. */
  tokens: string[];
  layer: number;
  head: number;
  causal: boolean;
  /** [n × n] QKᵀ/√d_k after the mask: −∞ where a query may not look. */
  masked: Float32Array;
  /** [n × n] softmax of each row: exactly 0 where masked. */
  weights: Float32Array;
}

/** The stages of one head's attention over the sentence, from its real queries, keys and values. */
export async function maskView(engine: Engine, heads: DecoderHeads, layer: number, head: number, causal: boolean): Promise<MaskView> {
  const p = heads.projections.find((h) => h.name === `layer${layer}.self` && h.head === head);
  if (!p) throw new RangeError(`The decoder has no head ${head} in layer ${layer}.`);
  const { stages } = await engine.attention(p.queries, p.keys, p.values, { mask: { kind: causal ? 'causal' : 'none' }, stages: true });
  return { tokens: heads.tokens, layer, head, causal, masked: stages!.masked.data, weights: stages!.weights.data };
}

/** A view as island props: the two matrices as little-endian float32 in base64 (−∞ included), about a third of their JSON. */
export interface PackedMaskView extends Omit<MaskView, 'masked' | 'weights'> {
  data: string;
}

export function packView(view: MaskView): PackedMaskView {
  const { masked, weights, ...rest } = view;
  const floats = new Float32Array(masked.length + weights.length);
  floats.set(masked);
  floats.set(weights, masked.length);
  return { ...rest, data: toBase64(new Uint8Array(floats.buffer)) };
}

export function unpackView(packed: PackedMaskView): MaskView {
  const { data, ...rest } = packed;
  const floats = new Float32Array(fromBase64(data).buffer);
  const cells = packed.tokens.length ** 2;
  if (floats.length !== 2 * cells) throw new Error(`The packed view holds ${floats.length} numbers; ${2 * cells} were expected.`);
  return { ...rest, masked: floats.slice(0, cells), weights: floats.slice(cells) };
}
