import { AttentionError } from './errors';

/**
 * A dense row-major tensor of 32-bit floats. A matrix has shape [rows, cols];
 * element (i, j) is data[i * cols + j].
 */
export interface Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Checks a shape: every dimension a positive integer. */
export function checkShape(shape: readonly number[], what: string): void {
  if (shape.length === 0) throw new AttentionError('INVALID_SIZE', `${what} needs at least one dimension.`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d <= 0) {
      throw new AttentionError('INVALID_SIZE', `${what} has shape [${shape.join(', ')}]; every size must be a whole number above 0.`, { shape });
    }
  }
}

/** Checks that every element is finite; names the first that is not. */
export function checkFinite(t: Tensor, what: string): void {
  const { data } = t;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new AttentionError('NON_FINITE', `${what} holds ${data[i]} at index ${i}; every value must be a finite number.`, { index: i });
    }
  }
}

/** Makes a tensor, checking that the data fills the shape exactly. */
export function tensor(data: ArrayLike<number>, shape: readonly number[]): Tensor {
  checkShape(shape, 'A tensor');
  const size = sizeOf(shape);
  if (data.length !== size) {
    throw new AttentionError('SHAPE_MISMATCH', `A tensor of shape [${shape.join(', ')}] needs ${size} values, got ${data.length}.`, { shape, length: data.length });
  }
  return { data: data instanceof Float32Array ? data : Float32Array.from(data), shape: [...shape] };
}

export function zeros(shape: readonly number[]): Tensor {
  checkShape(shape, 'A tensor');
  return { data: new Float32Array(sizeOf(shape)), shape: [...shape] };
}

/** Rows and columns of a matrix, or a typed error naming it. */
export function dims2(t: Tensor, what: string): [rows: number, cols: number] {
  if (t.shape.length !== 2) {
    throw new AttentionError('SHAPE_MISMATCH', `${what} must be a matrix (2 dimensions), got shape [${t.shape.join(', ')}].`, { shape: t.shape });
  }
  return [t.shape[0]!, t.shape[1]!];
}

/**
 * A deterministic pseudo-random source (mulberry32), so tests, benchmarks and
 * demos can reproduce the same "random" inputs from a seed.
 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples (Box-Muller) from a seed. */
export function randn(shape: readonly number[], seed: number, scale = 1): Tensor {
  const t = zeros(shape);
  const next = rng(seed);
  for (let i = 0; i < t.data.length; i += 2) {
    const u = Math.max(next(), 1e-12);
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u)) * scale;
    t.data[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < t.data.length) t.data[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return t;
}

/** Matrices one below the other ('rows': the same columns) or side by side ('columns': the same rows). */
export function concatMatrices(parts: readonly Tensor[], axis: 'rows' | 'columns'): Tensor {
  const [rows, cols] = axis === 'rows' ? [parts.reduce((sum, p) => sum + p.shape[0]!, 0), parts[0]!.shape[1]!] : [parts[0]!.shape[0]!, parts.reduce((sum, p) => sum + p.shape[1]!, 0)];
  const out = new Float32Array(rows * cols);
  if (axis === 'rows') {
    let at = 0;
    for (const p of parts) {
      out.set(p.data, at);
      at += p.data.length;
    }
  } else {
    let from = 0;
    for (const p of parts) {
      const width = p.shape[1]!;
      for (let i = 0; i < rows; i++) out.set(p.data.subarray(i * width, (i + 1) * width), i * cols + from);
      from += width;
    }
  }
  return { data: out, shape: [rows, cols] };
}
