import { AttentionError } from './errors';
import { checkFinite } from './tensor';
import type { Tensor } from './tensor';
import { checkPositiveInteger, validateAttentionShapes } from './validate';

/**
 * The key/value cache of autoregressive decoding: each new token appends its
 * key and value once, and its query attends to everything cached so far.
 * Attending to the cache is causal by construction (the future is not in it
 * yet), and costs O(length · d) per token instead of recomputing all of K and V.
 */
export class KVCache {
  #keys: Float32Array;
  #values: Float32Array;
  #length = 0;
  #capacity: number;

  constructor(
    readonly dk: number,
    readonly dv: number,
    initialCapacity = 16,
  ) {
    checkPositiveInteger(dk, 'The key width d_k');
    checkPositiveInteger(dv, 'The value width d_v');
    checkPositiveInteger(initialCapacity, 'The initial capacity');
    this.#capacity = initialCapacity;
    this.#keys = new Float32Array(initialCapacity * dk);
    this.#values = new Float32Array(initialCapacity * dv);
  }

  /** Tokens cached. */
  get length(): number {
    return this.#length;
  }

  /** Tokens that fit before the storage grows. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Appends one token's key (d_k values) and value (d_v values). */
  append(k: Float32Array, v: Float32Array): void {
    this.#checkVector(k, this.dk, 'The key');
    this.#checkVector(v, this.dv, 'The value');
    if (this.#length === this.#capacity) {
      // Doubling makes n appends cost O(n) copies in all (amortised O(1) each).
      this.#capacity *= 2;
      const keys = new Float32Array(this.#capacity * this.dk);
      keys.set(this.#keys);
      const values = new Float32Array(this.#capacity * this.dv);
      values.set(this.#values);
      this.#keys = keys;
      this.#values = values;
    }
    this.#keys.set(k, this.#length * this.dk);
    this.#values.set(v, this.#length * this.dv);
    this.#length++;
  }

  /** The cached keys, one row per token: a copy, [length × d_k]. */
  keys(): Tensor {
    return { data: this.#keys.slice(0, this.#length * this.dk), shape: [this.#length, this.dk] };
  }

  /** The cached values, one row per token: a copy, [length × d_v]. */
  values(): Tensor {
    return { data: this.#values.slice(0, this.#length * this.dv), shape: [this.#length, this.dv] };
  }

  /** softmax(q·Kᵀ · scale) over the cached keys, and the weighted sum of the cached values. */
  attend(q: Float32Array, scale = 1 / Math.sqrt(this.dk)): { output: Float32Array; weights: Float32Array } {
    this.#checkVector(q, this.dk, 'The query');
    if (!Number.isFinite(scale)) throw new AttentionError('NON_FINITE', `The scale is ${scale}; it must be a finite number.`, { scale });
    if (this.#length === 0) {
      throw new AttentionError('INVALID_SIZE', 'The cache is empty: append the current token\'s key and value before its query attends.', {});
    }
    const { dk, dv } = this;
    const length = this.#length;
    const weights = new Float32Array(length);
    let max = -Infinity;
    const scores = new Float64Array(length);
    for (let j = 0; j < length; j++) {
      let s = 0;
      for (let t = 0; t < dk; t++) s += q[t]! * this.#keys[j * dk + t]!;
      scores[j] = s * scale;
      if (scores[j]! > max) max = scores[j]!;
    }
    let sum = 0;
    for (let j = 0; j < length; j++) {
      scores[j] = Math.exp(scores[j]! - max);
      sum += scores[j]!;
    }
    const acc = new Float64Array(dv);
    for (let j = 0; j < length; j++) {
      const w = scores[j]! / sum;
      weights[j] = w;
      for (let t = 0; t < dv; t++) acc[t] = acc[t]! + w * this.#values[j * dv + t]!;
    }
    return { output: Float32Array.from(acc), weights };
  }

  #checkVector(x: Float32Array, width: number, what: string): void {
    if (x.length !== width) {
      throw new AttentionError('SHAPE_MISMATCH', `${what} has ${x.length} values but this cache holds width ${width}.`, { length: x.length, width });
    }
    checkFinite({ data: x, shape: [width] }, what);
  }
}

/**
 * Decodes token by token: token i appends k_i, v_i, then q_i attends to the
 * cache. Returns [n, d_v], equal to full attention with a causal mask.
 */
export function decodeWithCache(q: Tensor, k: Tensor, v: Tensor, scale?: number): Tensor {
  const { n, m, dk, dv } = validateAttentionShapes(q, k, v);
  if (n !== m) {
    throw new AttentionError('SHAPE_MISMATCH', `Decoding feeds one token at a time, so Q, K and V need one row per token: Q has ${n} rows, K and V ${m}.`, { n, m });
  }
  checkFinite(q, 'Q');
  checkFinite(k, 'K');
  checkFinite(v, 'V');
  const cache = new KVCache(dk, dv);
  const output = new Float32Array(n * dv);
  for (let i = 0; i < n; i++) {
    cache.append(k.data.subarray(i * dk, (i + 1) * dk), v.data.subarray(i * dv, (i + 1) * dv));
    output.set(cache.attend(q.data.subarray(i * dk, (i + 1) * dk), scale).output, i * dv);
  }
  return { data: output, shape: [n, dv] };
}
