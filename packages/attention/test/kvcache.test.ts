import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attentionReference } from '../src/cpu/reference';
import { decodeWithCache, KVCache } from '../src/kvcache';
import { expectClose, qkv } from './helpers';

describe('KV cache', () => {
  it('decoding token by token equals full causal attention', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.nat(), (n, dk, dv, seed) => {
        const [q, k, v] = qkv(n, n, dk, dv, seed);
        expectClose(decodeWithCache(q, k, v), attentionReference(q, k, v, { mask: { kind: 'causal' } }).output);
      }),
      { numRuns: 40 },
    );
  });

  it('grows by doubling and keeps what it holds', () => {
    const cache = new KVCache(2, 1, 2);
    const capacities: number[] = [];
    for (let t = 0; t < 9; t++) {
      cache.append(Float32Array.of(t, -t), Float32Array.of(t));
      capacities.push(cache.capacity);
    }
    expect(cache.length).toBe(9);
    expect(capacities).toEqual([2, 2, 4, 4, 8, 8, 8, 8, 16]);
    // A query orthogonal to every key weighs them equally: the output is the mean value 4.
    const { output, weights } = cache.attend(Float32Array.of(1, 1));
    expect(weights).toHaveLength(9);
    expectClose(weights, new Float32Array(9).fill(1 / 9), 1e-6);
    expectClose(output, Float32Array.of(4), 1e-6);
  });

  it('hands back the cached rows as tensors, copies that later appends leave alone', () => {
    const cache = new KVCache(2, 3, 1);
    expect(cache.keys().shape).toEqual([0, 2]);
    expect(cache.values().shape).toEqual([0, 3]);
    cache.append(Float32Array.of(1, 2), Float32Array.of(3, 4, 5));
    const keys = cache.keys();
    cache.append(Float32Array.of(6, 7), Float32Array.of(8, 9, 10));
    cache.append(Float32Array.of(11, 12), Float32Array.of(13, 14, 15));
    expect(keys).toEqual({ data: Float32Array.of(1, 2), shape: [1, 2] });
    expect(cache.keys()).toEqual({ data: Float32Array.of(1, 2, 6, 7, 11, 12), shape: [3, 2] });
    expect(cache.values()).toEqual({ data: Float32Array.of(3, 4, 5, 8, 9, 10, 13, 14, 15), shape: [3, 3] });
    cache.keys().data[0] = 99;
    expect(cache.keys().data[0]).toBe(1);
  });
});
