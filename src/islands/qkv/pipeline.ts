/**
 * The Q-K-V pipeline's data: the reader's inputs (token embeddings X and the
 * three projection matrices), how a cell's text becomes a number, and one
 * run of the engine from those inputs to every stage of
 * softmax(Q·Kᵀ/√d_k + M)·V. The build (the .astro wrapper) and the browser
 * (the island) run the same function, so the first state a reader sees is
 * what their browser would compute.
 */
import type { Engine } from '@attention-guide/attention';
import { Batch, splitStages } from '@attention-guide/attention/batch';
import { rng, tensor } from '@attention-guide/attention/tensor';
import { fromBase64, toBase64 } from '../../lib/base64';
import { shortest } from '../../lib/float32';

/** Width of each token's vector. Fixed, so the controls stay two: n and d_k. */
export const D_MODEL = 4;
export const MIN_TOKENS = 4;
export const MAX_TOKENS = 8;
export const MIN_DK = 2;
export const MAX_DK = 8;
/** The running sentence "The cat sat on the mat because it was tired." without its articles and full stop: eight different words. */
export const TOKENS = ['cat', 'sat', 'on', 'mat', 'because', 'it', 'was', 'tired'] as const;
export const DEFAULT_SIZE = { n: 4, dk: 2, causal: false } as const;
/** Largest magnitude a cell accepts: far inside float32's range after two products, and far beyond any useful example. */
export const LIMIT = 1000;

export type InputName = 'x' | 'wq' | 'wk' | 'wv';
export const INPUT_NAMES: readonly InputName[] = ['x', 'wq', 'wk', 'wv'];
export type DerivedName = 'q' | 'k' | 'v' | 'scores' | 'scaled' | 'masked' | 'weights' | 'output';
export type MatrixName = InputName | DerivedName;

/** A small dense matrix, row-major: entry (r, c) is data[r * cols + c]. */
export interface Matrix {
  rows: number;
  cols: number;
  data: number[];
}

export interface Size {
  n: number;
  dk: number;
  causal: boolean;
}

export interface Inputs extends Size {
  x: Matrix;
  wq: Matrix;
  wk: Matrix;
  wv: Matrix;
}

/** Everything one run shows: the inputs it used and every stage the engine returned. */
export interface Pipeline extends Inputs {
  tokens: string[];
  q: Matrix;
  k: Matrix;
  v: Matrix;
  scores: Matrix;
  scaled: Matrix;
  /** The scaled scores with -Infinity where the causal mask hides a key (equal to `scaled` without it). */
  masked: Matrix;
  weights: Matrix;
  output: Matrix;
}

/** Rows and columns of an input matrix for a size. */
export function inputShape(name: InputName, size: Pick<Size, 'n' | 'dk'>): [rows: number, cols: number] {
  return name === 'x' ? [size.n, D_MODEL] : [D_MODEL, size.dk];
}

/** How a cell is keyed in the reader's edits: the same key whatever the size, so edits survive a change of n or d_k. */
export const cellKey = (name: InputName, r: number, c: number) => `${name}:${r}:${c}`;

const SEEDS: Record<InputName, number> = { x: 11, wq: 23, wk: 37, wv: 53 };

/**
 * The starting value of an input cell: one decimal in [-1, 1], the same for a
 * cell whatever the size, so growing n or d_k fills new cells the same way
 * every time.
 */
export function defaultValue(name: InputName, r: number, c: number): number {
  const u = rng(SEEDS[name] * 4096 + r * 64 + c)();
  const tenths = Math.round(u * 20) - 10;
  return tenths / 10;
}

/** A number as a cell shows it in an input: as short as it is. */
export const inputText = (value: number) => String(value);

export type ParsedCell = { ok: true; value: number } | { ok: false; problem: 'empty' | 'not-a-number' | 'too-large' };

/** Reads a cell: a plain decimal, optionally signed (the typographic minus too) or with an exponent. */
export function parseCell(text: string): ParsedCell {
  const trimmed = text.trim().replace(/^\u2212/, '-');
  if (trimmed === '') return { ok: false, problem: 'empty' };
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)) return { ok: false, problem: 'not-a-number' };
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { ok: false, problem: 'not-a-number' };
  if (Math.abs(value) > LIMIT) return { ok: false, problem: 'too-large' };
  return { ok: true, value };
}

/** A cell's name as messages and labels say it: "X row 2 (sat), column 1", "W_Q row 2, column 1". */
export function cellName(name: InputName, r: number, c: number, tokens: readonly string[] = TOKENS): string {
  const matrix = { x: 'X', wq: 'W_Q', wk: 'W_K', wv: 'W_V' }[name];
  return name === 'x' ? `${matrix} row ${r + 1} (${tokens[r]}), column ${c + 1}` : `${matrix} row ${r + 1}, column ${c + 1}`;
}

export interface CellProblem {
  key: string;
  name: string;
  text: string;
  problem: 'empty' | 'not-a-number' | 'too-large';
}

/** The text each input cell holds: the reader's edit, or its starting value. */
export function cellText(edits: Readonly<Record<string, string>>, name: InputName, r: number, c: number): string {
  return edits[cellKey(name, r, c)] ?? inputText(defaultValue(name, r, c));
}

/** Reads every input cell of a size: the inputs, or the cells that are not numbers. */
export function readInputs(size: Size, edits: Readonly<Record<string, string>>): { ok: true; inputs: Inputs } | { ok: false; problems: CellProblem[] } {
  const problems: CellProblem[] = [];
  const read = (name: InputName): Matrix => {
    const [rows, cols] = inputShape(name, size);
    const data: number[] = [];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const text = cellText(edits, name, r, c);
        const parsed = parseCell(text);
        if (parsed.ok) data.push(parsed.value);
        else {
          data.push(0);
          problems.push({ key: cellKey(name, r, c), name: cellName(name, r, c), text, problem: parsed.problem });
        }
      }
    }
    return { rows, cols, data };
  };
  const inputs: Inputs = { ...size, x: read('x'), wq: read('wq'), wk: read('wk'), wv: read('wv') };
  return problems.length ? { ok: false, problems } : { ok: true, inputs };
}

/** The starting inputs for a size. */
export function defaultInputs(size: Size = DEFAULT_SIZE): Inputs {
  const result = readInputs(size, {});
  if (!result.ok) throw new Error('The starting values must all be numbers.');
  return result.inputs;
}

/** Float32 results as plain numbers (see shortest). */
function plain(data: Float32Array, rows: number, cols: number): Matrix {
  return { rows, cols, data: Array.from(data, shortest) };
}

/**
 * One run: Q, K and V from three products, then every stage of attention,
 * as one batch: on WebGPU one submission and one readback. Nothing here
 * computes a product or a softmax itself.
 */
export async function runPipeline(engine: Pick<Engine, 'run'>, inputs: Inputs): Promise<Pipeline> {
  const { n, dk } = inputs;
  const batch = new Batch();
  const x = batch.input(tensor(inputs.x.data, [n, D_MODEL]), 'X');
  const project = (w: { data: ArrayLike<number> }, name: string) => batch.read(batch.matmul(x, batch.input(tensor(w.data, [D_MODEL, dk]), name)));
  const [qv, kv, vv] = [project(inputs.wq, 'W_Q'), project(inputs.wk, 'W_K'), project(inputs.wv, 'W_V')];
  const head = batch.attention(qv, kv, vv, { stages: true, mask: { kind: inputs.causal ? 'causal' : 'none' } });
  for (const value of Object.values(head)) batch.read(value);
  const result = await engine.run(batch);
  const stages = splitStages(result.get(head.stages));
  return {
    ...inputs,
    tokens: TOKENS.slice(0, n),
    q: plain(result.get(qv).data, n, dk),
    k: plain(result.get(kv).data, n, dk),
    v: plain(result.get(vv).data, n, dk),
    scores: plain(stages.scores.data, n, n),
    scaled: plain(stages.scaled.data, n, n),
    masked: plain(stages.masked.data, n, n),
    weights: plain(result.get(head.weights).data, n, n),
    output: plain(result.get(head.output).data, n, dk),
  };
}

/** The matrices a run computes, in the order `pack` writes them. */
const DERIVED: readonly DerivedName[] = ['q', 'k', 'v', 'scores', 'scaled', 'masked', 'weights', 'output'];

/**
 * A run's computed matrices as base64 float32s: how the build hands its first
 * state to the island, a third the size of the same numbers as JSON. The
 * inputs are not included: they are the starting values, which `unpack`
 * makes again.
 */
export function pack(p: Pipeline): string {
  const floats = Float32Array.from(DERIVED.flatMap((name) => p[name].data));
  return toBase64(new Uint8Array(floats.buffer));
}

/** The run `pack` wrote, for the starting inputs of a size. */
export function unpack(size: Size, packed: string): Pipeline {
  const floats = new Float32Array(fromBase64(packed).buffer);
  const { n, dk } = size;
  const shapes: Record<DerivedName, [number, number]> = {
    q: [n, dk],
    k: [n, dk],
    v: [n, dk],
    scores: [n, n],
    scaled: [n, n],
    masked: [n, n],
    weights: [n, n],
    output: [n, dk],
  };
  let offset = 0;
  const take = (name: DerivedName): Matrix => {
    const [rows, cols] = shapes[name];
    const m = plain(floats.subarray(offset, offset + rows * cols), rows, cols);
    offset += rows * cols;
    return m;
  };
  const matrices = Object.fromEntries(DERIVED.map((name) => [name, take(name)])) as Record<DerivedName, Matrix>;
  if (offset !== floats.length) throw new Error(`The packed run holds ${floats.length} numbers; a run of size ${n} × ${dk} has ${offset}.`);
  return { ...defaultInputs(size), tokens: TOKENS.slice(0, n), ...matrices };
}

export const at = (m: Matrix, r: number, c: number): number => m.data[r * m.cols + c]!;
export const rowOf = (m: Matrix, r: number): number[] => m.data.slice(r * m.cols, (r + 1) * m.cols);
export const columnOf = (m: Matrix, c: number): number[] => Array.from({ length: m.rows }, (_, r) => at(m, r, c));
