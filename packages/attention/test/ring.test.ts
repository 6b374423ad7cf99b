import { describe, expect, it } from 'vitest';
import { attentionReference } from '../src/cpu/reference';
import { ringAttention, splitBlocks } from '../src/ring';
import { expectClose, qkv } from './helpers';

describe('ring attention', () => {
  it.each([1, 2, 3, 4, 5])('equals full attention on %i devices, N not divisible by P', (P) => {
    const N = 23; // prime: no P > 1 divides it
    const [q, k, v] = qkv(N, N, 6, 5, P);
    expectClose(ringAttention(q, k, v, { devices: P }).output, attentionReference(q, k, v).output);
    const mask = { kind: 'causal' } as const;
    expectClose(ringAttention(q, k, v, { devices: P, mask }).output, attentionReference(q, k, v, { mask }).output);
  });

  it('handles cross-attention lengths and an explicit scale', () => {
    const [q, k, v] = qkv(7, 12, 4, 3, 9);
    const mask = { kind: 'sliding-window', window: 4 } as const;
    expectClose(ringAttention(q, k, v, { devices: 3, mask, scale: 0.8 }).output, attentionReference(q, k, v, { mask, scale: 0.8 }).output);
  });

  it('passes each key/value block once around the ring', () => {
    const [q, k, v] = qkv(10, 10, 2, 2, 1);
    const { steps, kvBlocks } = ringAttention(q, k, v, { devices: 3 });
    expect(kvBlocks).toEqual([[0, 4], [4, 7], [7, 10]]);
    expect(steps.map((s) => s.holdings)).toEqual([[0, 1, 2], [2, 0, 1], [1, 2, 0]]);
    expect(steps[0]!.sends).toEqual([
      { from: 0, to: 1, block: 0 },
      { from: 1, to: 2, block: 1 },
      { from: 2, to: 0, block: 2 },
    ]);
    expect(steps[2]!.sends).toEqual([]);
    // Every device sees every block exactly once.
    for (let p = 0; p < 3; p++) expect(steps.map((s) => s.holdings[p]).sort()).toEqual([0, 1, 2]);
  });

  it('marks devices idle when the causal mask hides their block', () => {
    const [q, k, v] = qkv(9, 9, 2, 2, 2);
    const { steps } = ringAttention(q, k, v, { devices: 3, mask: { kind: 'causal' } });
    // Step 1: device 0 holds block 2 (the future of its queries): idle; device 1 holds block 0: busy.
    expect(steps[1]!.computed).toEqual([false, true, true]);
  });

  it('accounts memory per device and for one device', () => {
    const [q, k, v] = qkv(10, 10, 2, 3, 3);
    const result = ringAttention(q, k, v, { devices: 3 });
    // Device 0 owns 4 queries: Q and O 4·(2+3) = 20, stats 2·4 = 8; at step 0 it holds block 0
    // (4 rows · 5 = 20) and receives block 2 (3 rows · 5 = 15), plus a score row of 4.
    expect(result.perDeviceMemoryElements).toBe(20 + 8 + 20 + 15 + 4);
    expect(result.singleDeviceMemoryElements).toBe(10 * 2 + 10 * 2 + 10 * 3 + 10 * 3);
    const one = ringAttention(q, k, v, { devices: 1 });
    expect(one.steps).toEqual([{ step: 0, holdings: [0], computed: [true], sends: [] }]);
  });

  it('splits into blocks differing by at most one, larger first', () => {
    expect(splitBlocks(7, 3)).toEqual([[0, 3], [3, 5], [5, 7]]);
    expect(splitBlocks(6, 4)).toEqual([[0, 2], [2, 4], [4, 5], [5, 6]]);
  });
});
