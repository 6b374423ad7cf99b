import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attentionReference } from '../src/cpu/reference';
import { algorithm1BlockSizes, flashAttentionCpu, flashSteps, flashTraffic, flashTrafficBound, type FlashStep } from '../src/flash';
import type { FlashResult } from '../src/types';
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

describe('flashSteps: the tiled pass one block at a time', () => {
  const collect = (gen: Generator<FlashStep, FlashResult, void>) => {
    const steps: FlashStep[] = [];
    for (;;) {
      const next = gen.next();
      if (next.done) return { steps, result: next.value };
      steps.push(next.value);
    }
  };

  it('ends in the state flashAttentionCpu returns, with the traffic flashTraffic counts', () => {
    fc.assert(
      fc.property(sizes, blocks, fc.boolean(), ({ n, m, dk, dv, seed }, b, causal) => {
        const [q, k, v] = qkv(n, m, dk, dv, seed);
        const options = causal ? { ...b, mask: { kind: 'causal' } as const } : b;
        const { steps, result } = collect(flashSteps(q, k, v, options));
        const plain = flashAttentionCpu(q, k, v, options);
        const last = steps.at(-1)!;
        expect(Array.from(last.output)).toEqual(Array.from(plain.output.data));
        expect(Array.from(result.output.data)).toEqual(Array.from(plain.output.data));
        expect(last.traffic).toEqual(plain.traffic);
        expect(result.traffic).toEqual(flashTraffic(n, m, dk, dv, options).traffic);
        expect(result.standardTraffic).toEqual(plain.standardTraffic);
      }),
      { numRuns: 60 },
    );
  });

  it('walks key blocks outer, query blocks inner; m never falls, ℓ stays positive, and each tile is Q_i K_jᵀ scaled', () => {
    const [n, d] = [10, 3];
    const [q, k, v] = qkv(n, n, d, d, 7);
    const { steps } = collect(flashSteps(q, k, v, { blockRows: 4, blockCols: 3 }));
    expect(steps.map((s) => [s.j, s.i])).toEqual(Array.from({ length: 4 }, (_, j) => [0, 1, 2].map((i) => [j, i])).flat());
    const scores = attentionReference(q, k, v, { stages: true }).stages!.scaled;
    const seen = new Float32Array(n).fill(-Infinity);
    for (const s of steps) {
      expect(s.scores).toHaveLength(s.rows * s.cols);
      for (let r = 0; r < s.rows; r++) {
        for (let c = 0; c < s.cols; c++) expect(s.scores[r * s.cols + c]).toBeCloseTo(scores.data[(s.r0 + r) * n + s.c0 + c]!, 5);
        const row = s.r0 + r;
        expect(s.rowMax[row]).toBeGreaterThanOrEqual(seen[row]!);
        seen[row] = s.rowMax[row]!;
        expect(s.rowSum[row]).toBeGreaterThan(0);
      }
    }
    // Copies: an early step keeps its own state.
    expect(steps[0]!.output).not.toBe(steps[1]!.output);
    expect(Array.from(steps[0]!.output.subarray(4 * d))).toEqual(new Array((n - 4) * d).fill(0));
  });

  it('counts by hand for N = 4, d = 2, B_r = B_c = 2', () => {
    const [q, k, v] = qkv(4, 4, 2, 2, 1);
    const { steps } = collect(flashSteps(q, k, v, { blockRows: 2, blockCols: 2 }));
    // Line 2 writes O (8), ℓ and m (4 each): 16. Each of the 4 blocks reads Q_i, O_i, ℓ_i, m_i (2·(2+2+2) = 12) and
    // writes O_i, ℓ_i, m_i (2·(2+2) = 8); each of the 2 key blocks reads K_j, V_j once (2·(2+2) = 8).
    expect(steps[0]!.traffic).toEqual({ hbmReads: 8 + 12, hbmWrites: 16 + 8, sramPeak: 4 + 4 + 4 + 4 + 4 + 4 });
    expect(steps.at(-1)!.traffic).toEqual({ hbmReads: 2 * 8 + 4 * 12, hbmWrites: 16 + 4 * 8, sramPeak: 24 });
  });

  it('checks its inputs before the first step', () => {
    const [q, k, v] = qkv(4, 4, 2, 2, 1);
    expect(() => flashSteps(q, k, v, { blockRows: 0, blockCols: 2 })).toThrow();
  });
});
