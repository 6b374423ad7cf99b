/**
 * Counting the multiply-adds of one generation step, with a KV cache and
 * without one, for the figure's counters. Counting only: the arithmetic
 * itself runs in the engine.
 *
 * Reading the token at position t (so t + 1 tokens are in context), each
 * head of each layer needs
 *   with the cache:  its new key and value, d_model (d_k + d_v), and one
 *                    row of attention: t + 1 scores of d_k products each and
 *                    a weighted sum of t + 1 values of d_v: (t + 1)(d_k + d_v);
 *   without it:      the same for all t + 1 rows: keys and values for every
 *                    token, (t + 1) d_model (d_k + d_v), and the full
 *                    (t + 1) × (t + 1) scores and sums, (t + 1)² (d_k + d_v).
 * So without the cache a step costs exactly t + 1 times as much.
 */

export interface Dims {
  layers: number;
  heads: number;
  dModel: number;
  dk: number;
  dv: number;
}

export interface Work {
  /** Scores and weighted sums. */
  attention: number;
  /** Key and value projections. */
  projections: number;
  total: number;
}

const work = (attention: number, projections: number): Work => ({ attention, projections, total: attention + projections });

/** Multiply-adds of reading the token at position t, with the cache and recomputing the whole prefix. */
export function stepWork(d: Dims, t: number): { cached: Work; full: Work } {
  const perHead = d.layers * d.heads * (d.dk + d.dv);
  const n = t + 1;
  return {
    cached: work(perHead * n, perHead * d.dModel),
    full: work(perHead * n * n, perHead * n * d.dModel),
  };
}

/** The same summed over positions 0 to t: a whole generation so far. */
export function totalWork(d: Dims, t: number): { cached: Work; full: Work } {
  let cached = work(0, 0);
  let full = work(0, 0);
  for (let p = 0; p <= t; p++) {
    const step = stepWork(d, p);
    cached = work(cached.attention + step.cached.attention, cached.projections + step.cached.projections);
    full = work(full.attention + step.full.attention, full.projections + step.full.projections);
  }
  return { cached, full };
}
