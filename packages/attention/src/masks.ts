import type { MaskSpec } from './types';

/**
 * The mask kinds of types.ts as predicates. Query i of n is aligned to key
 * position p = i + m − n, so with a longer key sequence (a cache, a prompt)
 * the last query sees every key and the first sees the first m − n + 1.
 * All kinds but 'none' and 'boolean' are causal: they never allow j > p.
 *
 * Callers validate the spec first (validate.ts: validateMask).
 */
export function maskAllows(spec: MaskSpec, n: number, m: number): (i: number, j: number) => boolean {
  const offset = m - n;
  switch (spec.kind) {
    case 'none':
      return () => true;
    case 'causal':
      return (i, j) => j <= i + offset;
    case 'sliding-window': {
      const { window } = spec;
      return (i, j) => {
        const p = i + offset;
        return j <= p && j > p - window;
      };
    }
    case 'strided': {
      // Child et al. 2019, §4.1: one head sees the previous `stride` positions
      // (i − j < stride, the query itself included), the other every
      // stride-th position back; the pattern is their union.
      const { stride } = spec;
      return (i, j) => {
        const back = i + offset - j;
        return back >= 0 && (back < stride || back % stride === 0);
      };
    }
    case 'fixed': {
      // Child et al. 2019, §4.1: j in the same block of `stride` as the query,
      // or j among the last `summary` positions of its own block (the
      // "summary" cells that later blocks read).
      const { stride, summary } = spec;
      return (i, j) => {
        const p = i + offset;
        if (j > p) return false;
        return Math.floor(j / stride) === Math.floor(p / stride) || j % stride >= stride - summary;
      };
    }
    case 'boolean': {
      const { allowed } = spec;
      return (i, j) => allowed[i * m + j] !== 0;
    }
  }
}

/** The mask as an n × m matrix of 0/1 bytes, row-major. */
export function maskMatrix(spec: MaskSpec, n: number, m: number): Uint8Array {
  const allows = maskAllows(spec, n, m);
  const out = new Uint8Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) out[i * m + j] = allows(i, j) ? 1 : 0;
  }
  return out;
}

/** Share (0..1) of the n·m query-key pairs the mask allows, i.e. that are computed. */
export function maskedFraction(spec: MaskSpec, n: number, m: number): number {
  const allows = maskAllows(spec, n, m);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const [lo, hi] = rowRange(spec, n, m, i);
    for (let j = lo; j < hi; j++) if (allows(i, j)) count++;
  }
  return count / (n * m);
}

/**
 * Keys [lo, hi) outside which row i is certainly masked. Fast paths skip the
 * rest; empty (lo >= hi) when the row sees nothing.
 */
export function rowRange(spec: MaskSpec, n: number, m: number, i: number): [lo: number, hi: number] {
  const p = i + m - n;
  switch (spec.kind) {
    case 'none':
    case 'boolean':
      return [0, m];
    case 'sliding-window':
      return [Math.max(0, p - spec.window + 1), Math.max(0, Math.min(m, p + 1))];
    case 'causal':
    case 'strided':
    case 'fixed':
      return [0, Math.max(0, Math.min(m, p + 1))];
  }
}

/** True when every key inside rowRange is allowed, so no per-pair test is needed. */
export function isContiguous(spec: MaskSpec): boolean {
  return spec.kind === 'none' || spec.kind === 'causal' || spec.kind === 'sliding-window';
}
