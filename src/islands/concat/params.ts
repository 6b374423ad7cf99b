/**
 * Counting the parameters of multi-head attention's four projections, for the
 * parameter panel in chapter 3. W_Q, W_K and W_V are d_model × h·d_k (or
 * h·d_v) and W_O is h·d_v × d_model; biases are left out (the guide's models
 * have none in their attention projections). With d_k = d_v = d_model / h,
 * each is d_model × d_model, so a layer holds 4 · d_model² whatever h is.
 */

export interface AttentionShape {
  dModel: number;
  heads: number;
  /** d_k = d_v: the width of one head. */
  headDim: number;
  layers: number;
}

export interface AttentionCount {
  /** Weights of one projection, all heads together: d_model × h·d_k. */
  perProjection: number;
  /** W_Q, W_K, W_V and W_O of one layer. */
  perLayer: number;
  /** perLayer × layers. */
  total: number;
  /** Whether h × d_k = d_model, so that each projection is d_model². */
  square: boolean;
}

export function attentionCount({ dModel, heads, headDim, layers }: AttentionShape): AttentionCount {
  for (const [name, x] of [['d_model', dModel], ['h', heads], ['d_k', headDim], ['layers', layers]] as const) {
    if (!Number.isSafeInteger(x) || x < 1) throw new RangeError(`${name} must be a whole number of at least 1; got ${x}.`);
  }
  const perProjection = dModel * heads * headDim;
  const perLayer = 4 * perProjection;
  return { perProjection, perLayer, total: perLayer * layers, square: heads * headDim === dModel };
}

/** The head counts that split d_model evenly, in order. */
export function divisors(dModel: number): number[] {
  return Array.from({ length: dModel }, (_, i) => i + 1).filter((h) => dModel % h === 0);
}

/** A head count the reader typed: the shape it gives the model, or why it cannot. */
export type HeadChoice = { ok: true; shape: AttentionShape } | { ok: false; message: string };

export function chooseHeads(text: string, base: AttentionShape): HeadChoice {
  const { dModel } = base;
  const trimmed = text.trim();
  const offer = `Try ${divisors(dModel).join(', ').replace(/, (\d+)$/, ' or $1')}.`;
  if (!/^\d+$/.test(trimmed)) {
    return { ok: false, message: `Type a whole number of heads: “${trimmed}” is not one. ${offer}` };
  }
  const heads = Number(trimmed);
  if (heads < 1 || heads > dModel) return { ok: false, message: `h must be between 1 and d_model = ${dModel}; ${heads} is not. ${offer}` };
  if (dModel % heads !== 0) {
    return { ok: false, message: `h must divide d_model = ${dModel} evenly, so that every head is d_k = d_model / h wide: ${dModel} / ${heads} is not a whole number. ${offer}` };
  }
  return { ok: true, shape: { ...base, heads, headDim: dModel / heads } };
}
