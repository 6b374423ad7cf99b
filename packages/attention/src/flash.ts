import { gemmABt } from './cpu/fast';
import { isContiguous, maskAllows, rowRange } from './masks';
import type { Tensor } from './tensor';
import type { FlashOptions, FlashResult, MaskSpec, Traffic } from './types';
import { checkMemoryBudget, DEFAULT_MEMORY_BUDGET_BYTES, validateAttentionShapes, validateFlashOptions, validateMask } from './validate';
import { checkFinite } from './tensor';

/**
 * The FlashAttention forward pass, Dao et al. 2022 ("FlashAttention: Fast and
 * Memory-Efficient Exact Attention with IO-Awareness"), Algorithm 1, run on
 * the CPU as a faithful simulation of its memory model: arrays named like the
 * paper's live in "HBM", and every block is copied into "SRAM" buffers before
 * it is used, so the traffic counts are the copies the code actually makes.
 *
 * Paper lines used below (Algorithm 1, with N queries generalised to n
 * queries and m keys, d to d_k and d_v):
 *   2  Initialise O = 0 (n × d_v), ℓ = 0 (n), m = −∞ (n) in HBM.
 *   3-4  Split Q, O, ℓ, m into T_r = ⌈n / B_r⌉ row blocks, K, V into T_c = ⌈m / B_c⌉.
 *   5  for 1 ≤ j ≤ T_c:
 *   6    Load K_j, V_j from HBM to SRAM.
 *   7    for 1 ≤ i ≤ T_r:
 *   8      Load Q_i, O_i, ℓ_i, m_i from HBM to SRAM.
 *   9      S_ij = Q_i K_jᵀ (times the scale; the paper folds it into Q).
 *   10     m̃_ij = rowmax(S_ij), P̃_ij = exp(S_ij − m̃_ij), ℓ̃_ij = rowsum(P̃_ij).
 *   11     m_new = max(m_i, m̃_ij), ℓ_new = e^(m_i − m_new) ℓ_i + e^(m̃_ij − m_new) ℓ̃_ij.
 *   12     Write O_i ← diag(ℓ_new)⁻¹ (diag(ℓ_i) e^(m_i − m_new) O_i + e^(m̃_ij − m_new) P̃_ij V_j) to HBM.
 *   13     Write ℓ_i ← ℓ_new, m_i ← m_new to HBM.
 *
 * Masks: a block (i, j) the mask forbids entirely is skipped, loads and writes
 * included (that is the saving a block-sparse kernel makes), and K_j, V_j are
 * loaded only if some block of column j is computed. Partly masked blocks set
 * the forbidden scores to −∞. A row that sees no key at all ends with ℓ = 0
 * and output 0, the same convention as the reference softmax.
 */

/** Line 1 of Algorithm 1: block sizes for an on-chip memory of M elements. */
export function algorithm1BlockSizes(M: number, d: number): { blockRows: number; blockCols: number } {
  const blockCols = Math.ceil(M / (4 * d));
  return { blockRows: Math.min(blockCols, d), blockCols };
}

/**
 * Theorem 2 of the paper, without constants: the standard algorithm makes
 * Θ(N·d + N²) HBM accesses, FlashAttention Θ(N²·d²/M) for d ≤ M ≤ N·d.
 */
export function flashTrafficBound(N: number, d: number, M: number): { standard: number; flash: number } {
  return { standard: N * d + N * N, flash: (N * N * d * d) / M };
}

/**
 * Algorithm 0 (standard attention) on n queries, m keys:
 *   1  Load Q, K by blocks, compute S = QKᵀ, write S:   reads n·d_k + m·d_k, writes n·m
 *   2  Read S, compute P = softmax(S), write P:          reads n·m,           writes n·m
 *   3  Load P and V by blocks, compute O = PV, write O:  reads n·m + m·d_v,   writes n·d_v
 * The mask and scale are taken as fused into line 2 (no extra pass).
 * On chip it holds, at most, the blocks of line 1 (B_r × d_k of Q, B_c × d_k of
 * K, the B_r × B_c block of S), a whole row of S for the softmax of line 2
 * (m), or the blocks of line 3 (B_r × B_c of P, B_c × d_v of V, B_r × d_v of O),
 * with the same block sizes as the tiled pass.
 */
export function standardTraffic(n: number, m: number, dk: number, dv: number, blockRows: number, blockCols: number): Traffic {
  const br = Math.min(blockRows, n);
  const bc = Math.min(blockCols, m);
  return {
    hbmReads: n * dk + m * dk + n * m + n * m + m * dv,
    hbmWrites: n * m + n * m + n * dv,
    sramPeak: Math.max(br * dk + bc * dk + br * bc, m, br * bc + bc * dv + br * dv),
  };
}

/** True when the mask allows no pair in rows [r0, r0 + rows) × keys [c0, c0 + cols). */
function blockMasked(spec: MaskSpec, allows: (i: number, j: number) => boolean, n: number, m: number, r0: number, rows: number, c0: number, cols: number): boolean {
  const contiguous = isContiguous(spec);
  for (let i = r0; i < r0 + rows; i++) {
    const [lo, hi] = rowRange(spec, n, m, i);
    const from = Math.max(lo, c0);
    const to = Math.min(hi, c0 + cols);
    if (from >= to) continue;
    if (contiguous) return false;
    for (let j = from; j < to; j++) if (allows(i, j)) return false;
  }
  return true;
}

/**
 * The traffic of flashAttentionCpu without computing anything: the same block
 * walk, skips and counts (lines 2, 6, 8, 12-13 of Algorithm 1), for a backend
 * that computes the output elsewhere (the WebGPU kernel). The tests hold it
 * equal to the counts the CPU pass makes while it copies the blocks.
 */
export function flashTraffic(n: number, m: number, dk: number, dv: number, options: FlashOptions): Omit<FlashResult, 'output'> {
  const spec = options.mask ?? { kind: 'none' };
  const br = Math.min(options.blockRows, n);
  const bc = Math.min(options.blockCols, m);
  const allows = maskAllows(spec, n, m);
  let hbmReads = 0;
  let hbmWrites = n * dv + 2 * n; // line 2
  for (let c0 = 0; c0 < m; c0 += bc) {
    const cols = Math.min(bc, m - c0);
    let kvLoaded = false;
    for (let r0 = 0; r0 < n; r0 += br) {
      const rows = Math.min(br, n - r0);
      if (spec.kind !== 'none' && blockMasked(spec, allows, n, m, r0, rows, c0, cols)) continue;
      if (!kvLoaded) {
        hbmReads += cols * (dk + dv); // line 6
        kvLoaded = true;
      }
      hbmReads += rows * (dk + dv + 2); // line 8
      hbmWrites += rows * (dv + 2); // lines 12-13
    }
  }
  return {
    traffic: { hbmReads, hbmWrites, sramPeak: bc * dk + bc * dv + br * dk + br * dv + br * bc + 2 * br },
    standardTraffic: standardTraffic(n, m, dk, dv, options.blockRows, options.blockCols),
  };
}

/**
 * The state of the tiled pass after one block (i, j) of Algorithm 1: which
 * rows of Q and O and which rows of K and V were on chip, the block of scores
 * S_ij (scaled, masked entries −∞) that existed only there, and what HBM holds
 * after lines 12-13 (every row's m, ℓ and O so far), with the traffic counted up to here.
 */
export interface FlashBlock {
  /** Row block i (0-based) and column block j; the loop runs j outer, i inner. */
  i: number;
  j: number;
  /** Query rows [r0, r0 + rows) and key/value rows [c0, c0 + cols) of this block. */
  r0: number;
  rows: number;
  c0: number;
  cols: number;
  /** S_ij, rows × cols, row-major, scaled; −∞ where the mask forbids the pair. */
  scores: Float32Array;
  /** m, ℓ (one per query row) and O (n × d_v) in HBM after this block. */
  rowMax: Float32Array;
  rowSum: Float32Array;
  output: Float32Array;
  traffic: Traffic;
}

/** One block's state, copied so that it outlives the pass's next block. */
export type FlashStep = FlashBlock;

export function flashAttentionCpu(q: Tensor, k: Tensor, v: Tensor, options: FlashOptions, budgetBytes = DEFAULT_MEMORY_BUDGET_BYTES): FlashResult {
  const pass = tiledPass(q, k, v, options, budgetBytes);
  for (;;) {
    const next = pass.next();
    if (next.done) return next.value;
  }
}

/**
 * The same pass as flashAttentionCpu, one computed block at a time: each
 * step is a copy of the state after that block (skipped blocks of a mask
 * give no step), and the generator returns the FlashResult, equal to
 * flashAttentionCpu's. Inputs are checked before the first step.
 */
export function flashSteps(q: Tensor, k: Tensor, v: Tensor, options: FlashOptions, budgetBytes = DEFAULT_MEMORY_BUDGET_BYTES): Generator<FlashStep, FlashResult, void> {
  const pass = tiledPass(q, k, v, options, budgetBytes, true);
  return (function* () {
    for (;;) {
      const next = pass.next();
      if (next.done) return next.value;
      const b = next.value;
      yield {
        ...b,
        scores: b.scores.slice(),
        rowMax: b.rowMax.slice(),
        rowSum: b.rowSum.slice(),
        output: b.output.slice(),
        traffic: { ...b.traffic },
      };
    }
  })();
}

/** Validates, then returns the pass as a generator of its blocks' live state. */
function tiledPass(q: Tensor, k: Tensor, v: Tensor, options: FlashOptions, budgetBytes: number, trace = false): Generator<FlashBlock, FlashResult, void> {
  const { n, m, dk, dv } = validateAttentionShapes(q, k, v);
  validateFlashOptions(options);
  const spec = options.mask ?? { kind: 'none' };
  validateMask(spec, n, m);
  checkFinite(q, 'Q');
  checkFinite(k, 'K');
  checkFinite(v, 'V');
  const br = Math.min(options.blockRows, n);
  const bc = Math.min(options.blockCols, m);
  const sramElements = bc * dk + bc * dv + br * dk + br * dv + br * bc + 2 * br;
  checkMemoryBudget(4 * (n * dv + 2 * n + sramElements), budgetBytes, `The tiled pass over ${n} queries and ${m} keys`);
  return run();

  function* run(): Generator<FlashBlock, FlashResult, void> {
    const scale = options.scale ?? 1 / Math.sqrt(dk);
    const allows = maskAllows(spec, n, m);
    const contiguous = isContiguous(spec);
    const tr = Math.ceil(n / br);
    const tc = Math.ceil(m / bc);
    let hbmReads = 0;
    let hbmWrites = 0;

    // Line 2: O, ℓ, m initialised in HBM (each element written once).
    const O = new Float32Array(n * dv);
    const ell = new Float32Array(n);
    const rowMax = new Float32Array(n).fill(-Infinity);
    hbmWrites += n * dv + 2 * n;

    // SRAM: one buffer per block the algorithm holds. V_j is stored transposed
    // (d_v × B_c) so P̃·V_j reads both operands along rows; the load moves the
    // same B_c·d_v elements either way.
    const Kj = new Float32Array(bc * dk);
    const VjT = new Float32Array(dv * bc);
    const Qi = new Float32Array(br * dk);
    const Oi = new Float32Array(br * dv);
    const Sij = new Float32Array(br * bc); // P̃_ij overwrites S_ij in place
    const li = new Float32Array(br);
    const mi = new Float32Array(br);
    const sramPeak = sramElements;
    // A copy of S_ij for a trace (lines 10-12 overwrite it); not part of the algorithm's memory.
    const tile = new Float32Array(trace ? br * bc : 0);

    for (let j = 0; j < tc; j++) {
      const c0 = j * bc;
      const cols = Math.min(bc, m - c0); // the last block may be partial
      let kvLoaded = false;
      for (let i = 0; i < tr; i++) {
        const r0 = i * br;
        const rows = Math.min(br, n - r0);
        if (spec.kind !== 'none' && blockMasked(spec, allows, n, m, r0, rows, c0, cols)) continue;

        if (!kvLoaded) {
          // Line 6 (deferred to the first block of column j that is computed).
          Kj.set(k.data.subarray(c0 * dk, (c0 + cols) * dk));
          for (let c = 0; c < cols; c++) {
            for (let t = 0; t < dv; t++) VjT[t * bc + c] = v.data[(c0 + c) * dv + t]!;
          }
          hbmReads += cols * (dk + dv);
          kvLoaded = true;
        }

        // Line 8.
        Qi.set(q.data.subarray(r0 * dk, (r0 + rows) * dk));
        Oi.set(O.subarray(r0 * dv, (r0 + rows) * dv));
        li.set(ell.subarray(r0, r0 + rows));
        mi.set(rowMax.subarray(r0, r0 + rows));
        hbmReads += rows * (dk + dv + 2);

        // Line 9: S_ij = Q_i K_jᵀ, scaled, masked.
        gemmABt(Qi, 0, dk, rows, Kj, 0, dk, cols, dk, Sij, 0, bc, false);
        for (let r = 0; r < rows; r++) {
          const [lo, hi] = rowRange(spec, n, m, r0 + r);
          for (let c = 0; c < cols; c++) {
            const key = c0 + c;
            const allowed = key >= lo && key < hi && (contiguous || allows(r0 + r, key));
            Sij[r * bc + c] = allowed ? Sij[r * bc + c]! * scale : -Infinity;
          }
        }
        if (trace) for (let r = 0; r < rows; r++) tile.set(Sij.subarray(r * bc, r * bc + cols), r * cols);

        // Lines 10-12, row by row; m̃, ℓ̃, m_new, ℓ_new are per-row scalars.
        for (let r = 0; r < rows; r++) {
          const s = r * bc;
          let blockMax = -Infinity;
          for (let c = 0; c < cols; c++) blockMax = Math.max(blockMax, Sij[s + c]!);
          if (blockMax === -Infinity) {
            // This row sees no key of the block: P̃ is 0, nothing changes (and
            // exp(−∞ − (−∞)) would be NaN).
            Sij.fill(0, s, s + cols);
            continue;
          }
          let blockSum = 0;
          for (let c = 0; c < cols; c++) {
            const p = Math.exp(Sij[s + c]! - blockMax); // exp(−∞) = 0 for masked entries
            Sij[s + c] = p;
            blockSum += p;
          }
          const oldMax = mi[r]!;
          const newMax = Math.max(oldMax, blockMax);
          const oldWeight = Math.exp(oldMax - newMax) * li[r]!;
          const blockWeight = Math.exp(blockMax - newMax);
          const newSum = oldWeight + blockWeight * blockSum;
          // Line 12 as O_i ← (ℓ_i e^(m_i − m_new) / ℓ_new) O_i + (e^(m̃ − m_new) / ℓ_new) P̃ V_j:
          // scale the row of O_i and of P̃ here, then one product adds P̃ V_j.
          const keep = oldWeight / newSum;
          for (let t = 0; t < dv; t++) Oi[r * dv + t] = Oi[r * dv + t]! * keep;
          const add = blockWeight / newSum;
          for (let c = 0; c < cols; c++) Sij[s + c] = Sij[s + c]! * add;
          mi[r] = newMax;
          li[r] = newSum;
        }
        gemmABt(Sij, 0, bc, rows, VjT, 0, bc, dv, cols, Oi, 0, dv, true);

        // Lines 12-13: write O_i, ℓ_i, m_i back.
        O.set(Oi.subarray(0, rows * dv), r0 * dv);
        ell.set(li.subarray(0, rows), r0);
        rowMax.set(mi.subarray(0, rows), r0);
        hbmWrites += rows * (dv + 2);

        yield { i, j, r0, rows, c0, cols, scores: tile.subarray(0, rows * cols), rowMax, rowSum: ell, output: O, traffic: { hbmReads, hbmWrites, sramPeak } };
      }
    }

    return {
      output: { data: O, shape: [n, dv] },
      traffic: { hbmReads, hbmWrites, sramPeak },
      standardTraffic: standardTraffic(n, m, dk, dv, options.blockRows, options.blockCols),
    };
  }
}
