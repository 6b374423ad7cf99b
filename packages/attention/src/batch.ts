import { AttentionError } from './errors';
import type { Tensor } from './tensor';
import type { Backend, MaskSpec } from './types';
import { checkMatrixShape, checkMemoryBudget, validateMask } from './validate';
import { checkFinite, concatMatrices } from './tensor';
import { gelu, layerNormRows } from './cpu/fast';

/**
 * A batch: several ops whose inputs are earlier ops' outputs, run by the
 * engine in one go. On WebGPU the whole batch is one submission and one
 * readback of the results asked for, where the same ops called one by one
 * would each wait for their own readback; a decoder layer (layer norm,
 * projections, every head's attention, W_O, the residual) is a dozen ops,
 * and on a GPU each readback costs far more than the arithmetic of a small
 * model. On the CPU the engine runs the ops in order with the same kernels
 * as its single ops, so a batch gives the same numbers as those calls.
 *
 * Every value is a matrix; a `BatchValue` names one and carries its shape,
 * which each op checks when it is added, so a batch that was built runs.
 * Only the values passed to `read()` come back.
 */
export interface BatchValue {
  readonly id: number;
  readonly shape: readonly [rows: number, cols: number];
}

export type BatchNode =
  | { op: 'input'; data: Float32Array }
  | { op: 'matmul'; a: number; b: number; transposeB: boolean }
  /** The output of one head's attention; its weights are the next node (`weights`), and with `stages` its stages the one after (`stages`). */
  | { op: 'attention'; q: number; k: number; v: number; scale: number; mask: MaskSpec | undefined; stages: boolean }
  | { op: 'weights'; of: number }
  /** The scores, the scaled scores and the masked scores (−∞ where masked), each n × m, stacked in that order: 3n × m. */
  | { op: 'stages'; of: number }
  | { op: 'layerNorm'; x: number; gain: number; bias: number; epsilon: number }
  | { op: 'add'; a: number; b: number }
  | { op: 'gelu'; x: number }
  | { op: 'columns'; x: number; from: number }
  | { op: 'concat'; parts: number[]; axis: 'rows' | 'columns' };

/** The values a batch read, by the BatchValue that named them. */
export interface BatchResult {
  get(value: BatchValue): Tensor;
}

export class Batch {
  readonly nodes: (BatchNode & { shape: readonly [number, number] })[] = [];
  readonly #read = new Set<number>();
  readonly #values = new WeakSet<BatchValue>();

  /** The ids of the values to read back, in the order they were asked for. */
  get reads(): number[] {
    return [...this.#read];
  }

  /** A matrix from the caller. Checked now: finite values that fill its shape. */
  input(t: Tensor, what = 'A batch input'): BatchValue {
    const [rows, cols] = checkMatrixShape(t, what);
    checkFinite(t, what);
    return this.#add({ op: 'input', data: t.data }, [rows, cols]);
  }

  /** a · b, or a · bᵀ with transposeB. */
  matmul(a: BatchValue, b: BatchValue, options: { transposeB?: boolean } = {}): BatchValue {
    this.#own(a, b);
    const transposeB = options.transposeB ?? false;
    const [m, k] = a.shape;
    const [kB, n] = transposeB ? [b.shape[1], b.shape[0]] : b.shape;
    if (k !== kB) {
      throw new AttentionError('SHAPE_MISMATCH', `Cannot multiply [${m}, ${k}] by ${transposeB ? 'the transpose of ' : ''}[${b.shape.join(', ')}]: inner sizes ${k} and ${kB} differ.`, { a: a.shape, b: b.shape });
    }
    return this.#add({ op: 'matmul', a: a.id, b: b.id, transposeB }, [m, n]);
  }

  /**
   * One head: softmax(mask(q·kᵀ · scale))·v, and the weights (n × m). With
   * `stages`, also every stage before the softmax as one value (see the
   * `stages` node; `splitStages` takes it apart once read).
   */
  attention(q: BatchValue, k: BatchValue, v: BatchValue, options?: { scale?: number; mask?: MaskSpec; stages?: false }): { output: BatchValue; weights: BatchValue };
  attention(q: BatchValue, k: BatchValue, v: BatchValue, options: { scale?: number; mask?: MaskSpec; stages: true }): { output: BatchValue; weights: BatchValue; stages: BatchValue };
  attention(q: BatchValue, k: BatchValue, v: BatchValue, options: { scale?: number; mask?: MaskSpec; stages?: boolean } = {}): { output: BatchValue; weights: BatchValue; stages?: BatchValue } {
    this.#own(q, k, v);
    const [n, dk] = q.shape;
    const [m, dkK] = k.shape;
    const [mV, dv] = v.shape;
    if (dk !== dkK) throw new AttentionError('SHAPE_MISMATCH', `Q has d_k = ${dk} but K has ${dkK}; they must match.`, { dk, dkK });
    if (m !== mV) throw new AttentionError('SHAPE_MISMATCH', `K has ${m} rows but V has ${mV}; every key needs a value.`, { m, mV });
    const scale = options.scale ?? 1 / Math.sqrt(dk);
    if (!Number.isFinite(scale)) throw new AttentionError('NON_FINITE', `The scale is ${scale}; it must be a finite number.`, { scale });
    if (options.mask) validateMask(options.mask, n, m);
    const stages = options.stages ?? false;
    const output = this.#add({ op: 'attention', q: q.id, k: k.id, v: v.id, scale, mask: options.mask, stages }, [n, dv]);
    const weights = this.#add({ op: 'weights', of: output.id }, [n, m]);
    return stages ? { output, weights, stages: this.#add({ op: 'stages', of: output.id }, [3 * n, m]) } : { output, weights };
  }

  /** Each row of x normalised to mean 0 and variance 1, then times gain and plus bias (both 1 × cols). */
  layerNorm(x: BatchValue, gain: BatchValue, bias: BatchValue, epsilon = 1e-5): BatchValue {
    this.#own(x, gain, bias);
    const cols = x.shape[1];
    for (const [p, what] of [[gain, 'gain'], [bias, 'bias']] as const) {
      if (p.shape[0] !== 1 || p.shape[1] !== cols) {
        throw new AttentionError('SHAPE_MISMATCH', `The layer norm's ${what} has shape [${p.shape.join(', ')}]; it must be [1, ${cols}].`, { shape: p.shape });
      }
    }
    if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw new AttentionError('NON_FINITE', `The layer norm's epsilon is ${epsilon}; it must be a finite number above 0.`, { epsilon });
    return this.#add({ op: 'layerNorm', x: x.id, gain: gain.id, bias: bias.id, epsilon }, x.shape);
  }

  /** a + b, element by element: b has a's shape, or is one row (a bias) added to every row of a. */
  add(a: BatchValue, b: BatchValue): BatchValue {
    this.#own(a, b);
    if ((a.shape[0] !== b.shape[0] && b.shape[0] !== 1) || a.shape[1] !== b.shape[1]) {
      throw new AttentionError('SHAPE_MISMATCH', `Cannot add [${b.shape.join(', ')}] to [${a.shape.join(', ')}]: it must have the same shape, or one row of ${a.shape[1]}.`, {
        a: a.shape,
        b: b.shape,
      });
    }
    return this.#add({ op: 'add', a: a.id, b: b.id }, a.shape);
  }

  /** GELU of each element, in the tanh form of GPT-2: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
  gelu(x: BatchValue): BatchValue {
    this.#own(x);
    return this.#add({ op: 'gelu', x: x.id }, x.shape);
  }

  /** Columns [from, from + width) of x. */
  columns(x: BatchValue, from: number, width: number): BatchValue {
    this.#own(x);
    if (!Number.isInteger(from) || !Number.isInteger(width) || from < 0 || width < 1 || from + width > x.shape[1]) {
      throw new AttentionError('INVALID_SIZE', `Columns ${from} to ${from + width} are not within the ${x.shape[1]} columns of [${x.shape.join(', ')}].`, { from, width });
    }
    return this.#add({ op: 'columns', x: x.id, from }, [x.shape[0], width]);
  }

  /** The parts stacked one below the other ('rows') or side by side ('columns'). */
  concat(parts: readonly BatchValue[], axis: 'rows' | 'columns'): BatchValue {
    this.#own(...parts);
    if (parts.length === 0) throw new AttentionError('INVALID_SIZE', 'Concatenation needs at least one part.');
    const keep = axis === 'rows' ? 1 : 0;
    const size = parts[0]!.shape[keep];
    const bad = parts.find((p) => p.shape[keep] !== size);
    if (bad) {
      throw new AttentionError('SHAPE_MISMATCH', `Cannot put [${bad.shape.join(', ')}] ${axis === 'rows' ? 'below' : 'beside'} [${parts[0]!.shape.join(', ')}]: their ${axis === 'rows' ? 'columns' : 'rows'} differ.`, {
        shapes: parts.map((p) => p.shape),
      });
    }
    const total = parts.reduce((sum, p) => sum + p.shape[1 - keep]!, 0);
    return this.#add({ op: 'concat', parts: parts.map((p) => p.id), axis }, axis === 'rows' ? [total, size] : [size, total]);
  }

  /** Asks for a value back from the run. */
  read(value: BatchValue): BatchValue {
    this.#own(value);
    this.#read.add(value.id);
    return value;
  }

  /** Bytes the batch holds at its peak if nothing is freed early: every value, inputs included. */
  get bytes(): number {
    return this.nodes.reduce((sum, node) => sum + 4 * node.shape[0] * node.shape[1], 0);
  }

  /** Refuses a batch that reads nothing or is over the budget, before anything runs. */
  check(budgetBytes: number): void {
    if (this.#read.size === 0) throw new AttentionError('INVALID_SIZE', 'This batch reads nothing back: call read() on the values you need.');
    checkMemoryBudget(this.bytes, budgetBytes, `A batch of ${this.nodes.length} ops`);
  }

  #add(node: BatchNode, shape: readonly [number, number]): BatchValue {
    const value: BatchValue = { id: this.nodes.length, shape: [shape[0], shape[1]] };
    this.nodes.push({ ...node, shape: value.shape });
    this.#values.add(value);
    return value;
  }

  #own(...values: BatchValue[]): void {
    for (const v of values) {
      if (!this.#values.has(v)) throw new AttentionError('SHAPE_MISMATCH', 'A value from another batch cannot be used in this one.', { id: v.id });
    }
  }
}

/** Results by node id, for BatchResult. */
export function batchResult(batch: Batch, data: Map<number, Float32Array>): BatchResult {
  return {
    get(value: BatchValue): Tensor {
      const values = data.get(value.id);
      if (!values || batch.nodes[value.id]?.shape !== value.shape) {
        throw new AttentionError('INVALID_SIZE', `Value ${value.id} was not read back from this batch: call read() on it before the run.`, { id: value.id });
      }
      return { data: values, shape: value.shape };
    },
  };
}

/** An attention's stages value, once read, as its three n × m planes. */
export function splitStages(stages: Tensor): { scores: Tensor; scaled: Tensor; masked: Tensor } {
  const [rows, m] = [stages.shape[0]! / 3, stages.shape[1]!];
  const plane = (p: number): Tensor => ({ data: stages.data.subarray(p * rows * m, (p + 1) * rows * m), shape: [rows, m] });
  return { scores: plane(0), scaled: plane(1), masked: plane(2) };
}

/** Runs a batch on a backend: its own way if it has one (WebGPU), else op by op. */
export function runBatch(backend: Backend, batch: Batch): Promise<BatchResult> {
  return backend.run ? backend.run(batch) : runBatchByOps(backend, batch);
}

/**
 * Runs a batch op by op on a backend that has no batches of its own (the
 * CPU): products and attention through the backend's own ops, the rest
 * here. The layer norm sums in double precision as the models' training
 * code does, so a model run through a batch on the CPU gives the numbers
 * it gave before batches existed.
 */
export async function runBatchByOps(backend: Backend, batch: Batch): Promise<BatchResult> {
  const values: Float32Array[] = [];
  const matrix = (id: number): Tensor => ({ data: values[id]!, shape: batch.nodes[id]!.shape });
  for (const [id, node] of batch.nodes.entries()) {
    const [rows, cols] = node.shape;
    switch (node.op) {
      case 'input':
        values[id] = node.data;
        break;
      case 'matmul':
        values[id] = (await backend.matmul(matrix(node.a), matrix(node.b), { transposeB: node.transposeB })).data;
        break;
      case 'attention': {
        const result = await backend.attention(matrix(node.q), matrix(node.k), matrix(node.v), {
          scale: node.scale,
          stages: true,
          ...(node.mask ? { mask: node.mask } : {}),
        });
        values[id] = result.output.data;
        // The weights node always follows its attention node, and its stages node (if any) the weights.
        const stages = result.stages!;
        values[id + 1] = stages.weights.data;
        if (node.stages) values[id + 2] = concatMatrices([stages.scores, stages.scaled, stages.masked], 'rows').data;
        break;
      }
      case 'weights':
      case 'stages':
        break;
      case 'layerNorm':
        values[id] = layerNormRows(values[node.x]!, rows, cols, values[node.gain]!, values[node.bias]!, node.epsilon);
        break;
      case 'add': {
        const a = values[node.a]!;
        const b = values[node.b]!;
        const out = new Float32Array(a.length);
        // b.length is a.length, or one row's (a bias).
        for (let i = 0; i < a.length; i++) out[i] = a[i]! + b[i % b.length]!;
        values[id] = out;
        break;
      }
      case 'gelu':
        values[id] = values[node.x]!.map(gelu);
        break;
      case 'columns': {
        const from = batch.nodes[node.x]!.shape[1];
        const source = values[node.x]!;
        const out = new Float32Array(rows * cols);
        for (let i = 0; i < rows; i++) out.set(source.subarray(i * from + node.from, i * from + node.from + cols), i * cols);
        values[id] = out;
        break;
      }
      case 'concat':
        values[id] = concatMatrices(node.parts.map(matrix), node.axis).data;
        break;
    }
  }
  return batchResult(batch, new Map(batch.reads.map((id) => [id, values[id]!])));
}
