import { AttentionError } from './errors';
import { formatBytes } from './format';
import { checkFinite, checkShape, dims2 } from './tensor';
import type { Tensor } from './tensor';
import type { AttentionOptions, FlashOptions, MaskSpec, MultiHeadOptions, MultiHeadWeights, SoftmaxOptions } from './types';

/**
 * Input checks shared by every CPU entry point. Each runs before anything is
 * allocated: the order is shapes (cheap), then options and masks, then the
 * O(size) finiteness scan, then the memory budget, so a refused call costs
 * only the scan.
 */

const BYTES_PER_FLOAT = 4;

/** Default memory budget of the CPU backend: 1 GiB, well under what a browser tab may hold. */
export const DEFAULT_MEMORY_BUDGET_BYTES = 2 ** 30;

/** A matrix whose data fills its shape exactly: returns [rows, cols]. Does not scan values. */
export function checkMatrixShape(t: Tensor, what: string): [rows: number, cols: number] {
  const [rows, cols] = dims2(t, what);
  checkShape(t.shape, what);
  if (t.data.length !== rows * cols) {
    throw new AttentionError(
      'SHAPE_MISMATCH',
      `${what} has shape [${rows}, ${cols}], which needs ${rows * cols} values, but holds ${t.data.length}.`,
      { shape: t.shape, length: t.data.length },
    );
  }
  return [rows, cols];
}

/** A well-formed matrix of finite values: returns [rows, cols]. */
export function checkMatrix(t: Tensor, what: string): [rows: number, cols: number] {
  const dims = checkMatrixShape(t, what);
  checkFinite(t, what);
  return dims;
}

/** A whole number above 0, or INVALID_SIZE naming it. */
export function checkPositiveInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new AttentionError('INVALID_SIZE', `${what} is ${value}; it must be a whole number above 0.`, { value });
  }
}

function checkFiniteOption(value: number | undefined, what: string): void {
  if (value !== undefined && !Number.isFinite(value)) {
    throw new AttentionError('NON_FINITE', `${what} is ${value}; it must be a finite number.`, { value });
  }
}

function checkMaskParameter(value: number, what: string, kind: string): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new AttentionError('INVALID_MASK', `The ${kind} mask's ${what} is ${value}; it must be a whole number above 0.`, {
      kind,
      [what]: value,
    });
  }
}

/** Checks a mask's parameters against an n × m score matrix. */
export function validateMask(spec: MaskSpec, n: number, m: number): void {
  switch (spec.kind) {
    case 'none':
    case 'causal':
      return;
    case 'sliding-window':
      checkMaskParameter(spec.window, 'window', spec.kind);
      return;
    case 'strided':
      checkMaskParameter(spec.stride, 'stride', spec.kind);
      return;
    case 'fixed':
      checkMaskParameter(spec.stride, 'stride', spec.kind);
      checkMaskParameter(spec.summary, 'summary', spec.kind);
      if (spec.summary > spec.stride) {
        throw new AttentionError(
          'INVALID_MASK',
          `The fixed mask's summary (${spec.summary}) is larger than its stride (${spec.stride}); the summary positions are the last ones of each block, so there can be at most ${spec.stride}.`,
          { stride: spec.stride, summary: spec.summary },
        );
      }
      return;
    case 'boolean': {
      // The tag, not instanceof: a mask from another realm (a worker, an iframe) is still a Uint8Array.
      const isBytes = Object.prototype.toString.call(spec.allowed) === '[object Uint8Array]';
      if (!isBytes || spec.allowed.length !== n * m) {
        const length = isBytes ? spec.allowed.length : 'not a Uint8Array';
        throw new AttentionError(
          'INVALID_MASK',
          `A boolean mask for ${n} queries and ${m} keys needs ${n * m} entries (one per pair, row by row), got ${length}.`,
          { n, m, length },
        );
      }
      return;
    }
    default: {
      const kind = (spec as { kind?: unknown }).kind;
      throw new AttentionError('INVALID_MASK', `Unknown mask kind ${JSON.stringify(kind)}.`, { kind });
    }
  }
}

/** Refuses work whose buffers would exceed the budget, before allocating them. */
export function checkMemoryBudget(bytes: number, budgetBytes: number, what: string): void {
  if (bytes > budgetBytes) {
    throw new AttentionError(
      'MEMORY_BUDGET',
      `${what} would need about ${formatBytes(bytes)}, more than the ${formatBytes(budgetBytes)} budget. Use fewer tokens, skip the stages, or use the tiled (flash) pass.`,
      { bytes, budgetBytes },
    );
  }
}

/**
 * Upper bound on the bytes either CPU attention path allocates: the n × d_v
 * output and one n × m float matrix per stage kept (4 with stages, otherwise
 * the single score matrix the reference needs; the fast path needs less).
 */
export function attentionBytes(n: number, m: number, dv: number, stages: boolean): number {
  return BYTES_PER_FLOAT * (n * dv + (stages ? 4 : 1) * n * m);
}

export interface AttentionDims {
  n: number;
  m: number;
  dk: number;
  dv: number;
}

/** Shapes of q [n, d_k], k [m, d_k], v [m, d_v] (no value scan). */
export function validateAttentionShapes(q: Tensor, k: Tensor, v: Tensor): AttentionDims {
  const [n, dk] = checkMatrixShape(q, 'Q');
  const [m, dkK] = checkMatrixShape(k, 'K');
  const [mV, dv] = checkMatrixShape(v, 'V');
  if (dkK !== dk) {
    throw new AttentionError(
      'SHAPE_MISMATCH',
      `Q has ${dk} columns but K has ${dkK}: each query is compared with each key by a dot product, so they need the same width d_k.`,
      { qCols: dk, kCols: dkK },
    );
  }
  if (mV !== m) {
    throw new AttentionError(
      'SHAPE_MISMATCH',
      `K has ${m} rows but V has ${mV}: keys and values come in pairs, one per token.`,
      { kRows: m, vRows: mV },
    );
  }
  return { n, m, dk, dv };
}

/** Everything attention() needs checked, in order; returns the sizes. */
export function validateAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  options: AttentionOptions | undefined,
  budgetBytes: number,
): AttentionDims {
  const dims = validateAttentionShapes(q, k, v);
  checkFiniteOption(options?.scale, 'The scale');
  if (options?.mask) validateMask(options.mask, dims.n, dims.m);
  checkFinite(q, 'Q');
  checkFinite(k, 'K');
  checkFinite(v, 'V');
  checkMemoryBudget(attentionBytes(dims.n, dims.m, dims.dv, options?.stages ?? false), budgetBytes, `Attention over ${dims.n} queries and ${dims.m} keys`);
  return dims;
}

/** a [r, k] · b [k, c] (or bᵀ with b [c, k]): returns [rows, inner, cols]. */
export function validateMatmul(a: Tensor, b: Tensor, transposeB: boolean, budgetBytes: number): [rows: number, inner: number, cols: number] {
  const [rows, inner] = checkMatrixShape(a, 'The left matrix');
  const [bRows, bCols] = checkMatrixShape(b, 'The right matrix');
  const bInner = transposeB ? bCols : bRows;
  const cols = transposeB ? bRows : bCols;
  if (bInner !== inner) {
    throw new AttentionError(
      'SHAPE_MISMATCH',
      transposeB
        ? `The left matrix has ${inner} columns but the right one has ${bInner}: a · bᵀ pairs rows of a with rows of b, so both need the same width.`
        : `The left matrix has ${inner} columns but the right one has ${bInner} rows: a · b pairs each row of a with each column of b, so these must match.`,
      { inner, bInner },
    );
  }
  checkFinite(a, 'The left matrix');
  checkFinite(b, 'The right matrix');
  checkMemoryBudget(BYTES_PER_FLOAT * rows * cols, budgetBytes, `A ${rows} × ${cols} product`);
  return [rows, inner, cols];
}

/**
 * softmax() accepts -Infinity as "masked" (its weight is exactly 0), so a
 * demo can pass the masked stage straight in; NaN and +Infinity are refused.
 */
export function validateSoftmax(x: Tensor, options: SoftmaxOptions | undefined, budgetBytes: number): [rows: number, cols: number] {
  const [rows, cols] = checkMatrixShape(x, 'The softmax input');
  checkFiniteOption(options?.scale, 'The softmax scale');
  const temperature = options?.temperature;
  if (temperature !== undefined && !(Number.isFinite(temperature) && temperature > 0)) {
    throw new AttentionError('INVALID_SIZE', `The temperature is ${temperature}; it must be a finite number above 0 (it divides the logits).`, {
      temperature,
    });
  }
  const { data } = x;
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    if (Number.isNaN(value) || value === Infinity) {
      throw new AttentionError(
        'NON_FINITE',
        `The softmax input holds ${value} at index ${i}; only finite numbers and -Infinity (masked) are allowed.`,
        { index: i },
      );
    }
  }
  checkMemoryBudget(BYTES_PER_FLOAT * rows * cols, budgetBytes, `A softmax over a ${rows} × ${cols} matrix`);
  return [rows, cols];
}

/** Block sizes of the tiled pass. */
export function validateFlashOptions(options: FlashOptions): void {
  checkPositiveInteger(options.blockRows, 'The query block size B_r');
  checkPositiveInteger(options.blockCols, 'The key/value block size B_c');
  checkFiniteOption(options.scale, 'The scale');
}

/**
 * Refuses blocks whose on-chip working set (see flash.ts: K_j, V_j, Q_i, O_i,
 * S_ij, ℓ_i, m_i) exceeds an on-chip capacity in elements, for backends with
 * a real limit (a WebGPU workgroup's shared memory).
 */
export function checkBlockFits(blockRows: number, blockCols: number, dk: number, dv: number, capacityElements: number): void {
  const needed = blockCols * (dk + dv) + blockRows * (dk + dv) + blockRows * blockCols + 2 * blockRows;
  if (needed > capacityElements) {
    throw new AttentionError(
      'BLOCK_TOO_LARGE',
      `Blocks of ${blockRows} query rows and ${blockCols} key rows need ${needed} elements on chip, more than the ${capacityElements} available. Use smaller blocks.`,
      { blockRows, blockCols, needed, capacityElements },
    );
  }
}

export interface MultiHeadDims {
  n: number;
  m: number;
  dModel: number;
  heads: number;
  kvHeads: number;
  dk: number;
  dv: number;
}

/** Inputs [n, d_model] and [m, d_model], the four projections and the head counts. */
export function validateMultiHead(xq: Tensor, xkv: Tensor, weights: MultiHeadWeights, options: MultiHeadOptions): MultiHeadDims {
  const { heads } = options;
  const kvHeads = options.kvHeads ?? heads;
  checkPositiveInteger(heads, 'The number of heads');
  checkPositiveInteger(kvHeads, 'The number of key/value heads');
  if (heads % kvHeads !== 0) {
    throw new AttentionError(
      'HEADS_NOT_DIVISIBLE',
      `${heads} query heads cannot share ${kvHeads} key/value heads evenly: each key/value head serves a group of heads / kvHeads query heads, so kvHeads must divide heads.`,
      { heads, kvHeads },
    );
  }
  const [n, dModel] = checkMatrixShape(xq, 'The query input');
  const [m, dModelKv] = checkMatrixShape(xkv, 'The key/value input');
  if (dModelKv !== dModel) {
    throw new AttentionError('SHAPE_MISMATCH', `The query input has width ${dModel} but the key/value input has ${dModelKv}; both must have the model width d_model.`, {
      dModel,
      dModelKv,
    });
  }
  const [wqRows, wqCols] = checkMatrixShape(weights.wq, 'W_Q');
  const [wkRows, wkCols] = checkMatrixShape(weights.wk, 'W_K');
  const [wvRows, wvCols] = checkMatrixShape(weights.wv, 'W_V');
  const [woRows, woCols] = checkMatrixShape(weights.wo, 'W_O');
  for (const [name, rows] of [['W_Q', wqRows], ['W_K', wkRows], ['W_V', wvRows]] as const) {
    if (rows !== dModel) {
      throw new AttentionError('SHAPE_MISMATCH', `${name} has ${rows} rows but the inputs have width ${dModel}; a projection maps d_model to the head widths.`, {
        rows,
        dModel,
      });
    }
  }
  if (wqCols % heads !== 0) {
    throw new AttentionError('SHAPE_MISMATCH', `W_Q has ${wqCols} columns, which ${heads} heads cannot split evenly into d_k each.`, { wqCols, heads });
  }
  const dk = wqCols / heads;
  if (wkCols !== kvHeads * dk) {
    throw new AttentionError('SHAPE_MISMATCH', `W_K has ${wkCols} columns but ${kvHeads} key/value heads of width d_k = ${dk} need ${kvHeads * dk}.`, {
      wkCols,
      kvHeads,
      dk,
    });
  }
  if (wvCols % kvHeads !== 0) {
    throw new AttentionError('SHAPE_MISMATCH', `W_V has ${wvCols} columns, which ${kvHeads} key/value heads cannot split evenly into d_v each.`, {
      wvCols,
      kvHeads,
    });
  }
  const dv = wvCols / kvHeads;
  if (woRows !== heads * dv || woCols !== dModel) {
    throw new AttentionError(
      'SHAPE_MISMATCH',
      `W_O has shape [${woRows}, ${woCols}] but must be [${heads * dv}, ${dModel}]: it maps the ${heads} concatenated heads of width d_v = ${dv} back to d_model.`,
      { woRows, woCols, expected: [heads * dv, dModel] },
    );
  }
  if (options.mask) validateMask(options.mask, n, m);
  checkFinite(xq, 'The query input');
  if (xkv !== xq) checkFinite(xkv, 'The key/value input');
  checkFinite(weights.wq, 'W_Q');
  checkFinite(weights.wk, 'W_K');
  checkFinite(weights.wv, 'W_V');
  checkFinite(weights.wo, 'W_O');
  return { n, m, dModel, heads, kvHeads, dk, dv };
}
