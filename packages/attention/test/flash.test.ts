import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attentionReference } from '../src/cpu/reference';
import { algorithm1BlockSizes, flashAttentionCpu, flashTraffic, flashTrafficBound } from '../src/flash';
import { maskMatrix } from '../src/masks';
import { expectClose, masks, qkv, sizes } from './helpers';

const blocks = fc.record({ blockRows: fc.integer({ min: 1, max: 9 }), blockCols: fc.integer({ min: 1, max: 9 }) });

describe('tiled (flash) attention', () => {
  it('equals standard attention on random shapes and block sizes, partial last blocks included', () => {
    fc.assert(
      fc.property(sizes, blocks, ({ n, m, dk, dv, seed }, b) => {
        const [q, k, v] = qkv(n, m, dk, dv, seed);
        expectClose(flashAttentionCpu(q, k, v, b).output, attentionReference(q, k, v).output);
      }),
      { numRuns: 80 },
    );
  });

  it('equals standard attention with a causal mask', () => {
    fc.assert(
      fc.property(sizes, blocks, ({ n, m, dk, dv, seed }, b) => {
        const [q, k, v] = qkv(n, m, dk, dv, seed);
        const mask = { kind: 'causal' } as const;
        expectClose(flashAttentionCpu(q, k, v, { ...b, mask }).output, attentionReference(q, k, v, { mask }).output);
      }),
      { numRuns: 80 },
    );
  });

  it('equals standard attention under the other masks and a boolean one', () => {
    fc.assert(
      fc.property(sizes, blocks, masks, ({ n, m, dk, dv, seed }, b, mask) => {
        const [q, k, v] = qkv(n, m, dk, dv, seed);
        expectClose(flashAttentionCpu(q, k, v, { ...b, mask, scale: 0.5 }).output, attentionReference(q, k, v, { mask, scale: 0.5 }).output);
        const boolean = { kind: 'boolean', allowed: maskMatrix(mask, n, m).map((x, i) => (i % 3 === 0 ? 0 : x)) } as const;
        expectClose(flashAttentionCpu(q, k, v, { ...b, mask: boolean }).output, attentionReference(q, k, v, { mask: boolean }).output);
      }),
      { numRuns: 60 },
    );
  });

  it('is exact at N = 100 with 16 × 16 blocks (a realistic shape, last blocks of 4)', () => {
    const [q, k, v] = qkv(100, 100, 32, 32, 5);
    expectClose(flashAttentionCpu(q, k, v, { blockRows: 16, blockCols: 16, mask: { kind: 'causal' } }).output, attentionReference(q, k, v, { mask: { kind: 'causal' } }).output);
  });
});

describe('memory traffic', () => {
  it('counted without computing (for the WebGPU path) equals the counts of the CPU pass', () => {
    fc.assert(
      fc.property(sizes, blocks, masks, ({ n, m, dk, dv, seed }, b, mask) => {
        const [q, k, v] = qkv(n, m, dk, dv, seed);
        const computed = flashAttentionCpu(q, k, v, { ...b, mask });
        const counted = flashTraffic(n, m, dk, dv, { ...b, mask });
        expect(counted.traffic).toEqual(computed.traffic);
        expect(counted.standardTraffic).toEqual(computed.standardTraffic);
      }),
      { numRuns: 80 },
    );
  });

  // N = 4 queries and keys, d = 2, B_r = B_c = 2, so T_r = T_c = 2.
  const [q, k, v] = qkv(4, 4, 2, 2, 1);

  it('counts Algorithm 1 loads and stores, by hand for N = 4, d = 2, B = 2', () => {
    const { traffic, standardTraffic } = flashAttentionCpu(q, k, v, { blockRows: 2, blockCols: 2 });
    // Reads: line 6 loads K_j, V_j (2·2 + 2·2 = 8) for each of 2 column blocks = 16;
    //        line 8 loads Q_i (4), O_i (4), ℓ_i (2), m_i (2) = 12 for each of 2·2 block pairs = 48.
    expect(traffic.hbmReads).toBe(16 + 48);
    // Writes: line 2 initialises O (8), ℓ (4), m (4) = 16;
    //         lines 12-13 write O_i (4), ℓ_i (2), m_i (2) = 8 for each of 4 block pairs = 32.
    expect(traffic.hbmWrites).toBe(16 + 32);
    // On chip: K_j 4, V_j 4, Q_i 4, O_i 4, S_ij 4, ℓ_i 2, m_i 2.
    expect(traffic.sramPeak).toBe(24);
    // Algorithm 0: reads Q, K (8 + 8), S (16), P (16) and V (8); writes S (16), P (16), O (8).
    expect(standardTraffic).toEqual({ hbmReads: 56, hbmWrites: 40, sramPeak: 12 });
  });

  it('skips fully masked blocks and does not count them', () => {
    const { traffic } = flashAttentionCpu(q, k, v, { blockRows: 2, blockCols: 2, mask: { kind: 'causal' } });
    // Block (rows 0-1, keys 2-3) is entirely in the future: 3 of the 4 block pairs run,
    // and both K/V blocks are still needed.
    expect(traffic.hbmReads).toBe(16 + 3 * 12);
    expect(traffic.hbmWrites).toBe(16 + 3 * 8);
  });

  it('falls below the standard algorithm once M is well above d², by Theorem 2\'s order', () => {
    const d = 16;
    const ratios: number[] = [];
    for (const [N, M] of [[256, 16 * d * d], [512, 16 * d * d], [512, 64 * d * d]] as const) {
      const [q2, k2, v2] = qkv(N, N, d, d, N + M);
      const { traffic, standardTraffic } = flashAttentionCpu(q2, k2, v2, algorithm1BlockSizes(M, d));
      const flash = traffic.hbmReads + traffic.hbmWrites;
      const standard = standardTraffic.hbmReads + standardTraffic.hbmWrites;
      expect(flash).toBeLessThan(standard);
      // The count tracks N²d²/M up to a constant factor.
      ratios.push(flash / flashTrafficBound(N, d, M).flash);
      expect(traffic.sramPeak).toBeLessThanOrEqual(M + 2 * d * d);
    }
    expect(Math.max(...ratios) / Math.min(...ratios)).toBeLessThan(1.5);
  });

  it('gives Theorem 2\'s orders without constants', () => {
    expect(flashTrafficBound(1024, 64, 65536)).toEqual({ standard: 1024 * 64 + 1024 * 1024, flash: (1024 * 1024 * 64 * 64) / 65536 });
    expect(algorithm1BlockSizes(65536, 64)).toEqual({ blockRows: 64, blockCols: 256 });
  });
});
