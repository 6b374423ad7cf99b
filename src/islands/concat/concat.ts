/**
 * The concat-and-project figure's one computation, shared by the build
 * (which renders the first state on the CPU) and the browser: one attention
 * layer of the trained decoder reading the running sentence. Each head's
 * output is engine.attention on that head's own queries, keys and values;
 * the concatenation and the layer's output are what engine.multiHeadAttention
 * returned inside the model; Concat · W_O is engine.matmul. Nothing here
 * multiplies or takes a softmax: it slices, compares and formats.
 */
import type { Engine, Tensor } from '@attention-guide/attention';
import type { LoadedModel } from '@attention-guide/models/inference';
import { scoreColour } from '../../lib/colour';
import { shortest } from '../../lib/float32';
import type { DecoderHeads } from '../../lib/models';

/** One layer, every matrix row-major. */
export interface ConcatView {
  layer: number;
  /** Row labels, one per token: "start" for <bos>, then the words. */
  tokens: string[];
  heads: number;
  dv: number;
  dModel: number;
  /** Each head's output A_i V_i, n × d_v. */
  headOutputs: Float32Array[];
  /** Concat(head_0 … head_{h−1}), n × h·d_v, as multi-head attention returned it. */
  concatenated: Float32Array;
  /** W_O, h·d_v × d_model: rows [i·d_v, (i + 1)·d_v) meet head i's columns. */
  wo: Float32Array;
  /** The layer's output, n × d_model, as multi-head attention returned it. */
  output: Float32Array;
  /** The largest |(Concat · W_O)_rc − output_rc|, Concat · W_O from engine.matmul. */
  difference: number;
}

/** W_O of one of the decoder's layers, from the model's weights. */
export function outputWeights(model: LoadedModel, layer: number): Tensor {
  const wo = model.params.get(`layer${layer}.self.wo`);
  return { data: wo.value, shape: [wo.rows, wo.cols] };
}

export function largestDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`Cannot compare ${a.length} numbers with ${b.length}.`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

export async function concatView(engine: Engine, reading: DecoderHeads, wo: Tensor, layer: number): Promise<ConcatView> {
  const name = `layer${layer}.self`;
  const outputs = reading.outputs.find((o) => o.name === name);
  const projections = reading.projections.filter((p) => p.name === name).sort((a, b) => a.head - b.head);
  if (!outputs || projections.length === 0) throw new Error(`The decoder has no attention layer ${layer}.`);
  const heads = projections.length;
  const [n, width] = outputs.concatenated.shape as [number, number];
  const dModel = outputs.output.shape[1]!;
  const [results, product] = await Promise.all([
    Promise.all(projections.map((p) => engine.attention(p.queries, p.keys, p.values, { mask: { kind: 'causal' } }))),
    engine.matmul(outputs.concatenated, wo),
  ]);
  return {
    layer,
    tokens: reading.tokens.map((t) => (t === '<bos>' ? 'start' : t)).slice(0, n),
    heads,
    dv: width / heads,
    dModel,
    headOutputs: results.map((r) => r.output.data),
    concatenated: outputs.concatenated.data,
    wo: wo.data,
    output: outputs.output.data,
    difference: largestDifference(product.data, outputs.output.data),
  };
}

// ---- Drawing: each matrix as a few SVG paths, one per colour step ----

/** Colour steps on each side of 0: 2 · STEPS + 1 colours in all (11, as ColorBrewer's largest RdBu scheme). */
export const STEPS = 5;

/** The largest |value|, rounded up to two significant digits: the ends of the diverging scale. */
export function limitOf(values: ArrayLike<number>): number {
  let largest = 0;
  for (let i = 0; i < values.length; i++) largest = Math.max(largest, Math.abs(values[i]!));
  if (largest === 0) return 1;
  const unit = 10 ** (Math.floor(Math.log10(largest)) - 1);
  return Math.ceil(largest / unit - 1e-9) * unit;
}

/** The colour step of a value: −STEPS … STEPS. */
export function stepOf(value: number, limit: number): number {
  return Math.max(-STEPS, Math.min(STEPS, Math.round((value / limit) * STEPS)));
}

/**
 * The steps' colours on the diverging scale, −STEPS first, as #rrggbb
 * (shorter in the page than rgb(…)). The build works them out and hands
 * them to the island, which so does without the colour library's code.
 */
export function palette(): string[] {
  return Array.from({ length: 2 * STEPS + 1 }, (_, i) => {
    const [r, g, b] = (scoreColour(i - STEPS, STEPS).match(/\d+/g) ?? []).map(Number);
    return `#${[r, g, b].map((c) => (c ?? 0).toString(16).padStart(2, '0')).join('')}`;
  });
}

// A block's colour steps as one character a cell ("a" is −STEPS, the STEPS-th
// letter after it 0): compact, and two equal blocks give equal strings.
const FIRST = 'a'.charCodeAt(0) + STEPS;

/** Rows [r0, r1) and columns [c0, c1) of a row-major matrix with `cols` columns, as colour steps, row by row. */
export function stepsOf(values: ArrayLike<number>, cols: number, limit: number, [r0, r1]: [number, number], [c0, c1]: [number, number]): string {
  let steps = '';
  for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) steps += String.fromCharCode(FIRST + stepOf(values[r * cols + c]!, limit));
  return steps;
}

/** One colour step of a heatmap: every cell in it as a horizontal stroke, 1 unit per cell. */
export interface Paint {
  colour: string;
  d: string;
}

/**
 * A block `cols` wide, from its steps, as one path per colour in the
 * block's own coordinates (a cell is 1 × 1, its stroke drawn along y + ½).
 * Each cell is a relative move and "h1", so a map of a few hundred cells
 * takes a few kilobytes of HTML, and two equal blocks (a head's output and
 * its slice of the concatenation) give equal paths, which the page's
 * compression stores once.
 */
export function paint(steps: string, cols: number, colours: readonly string[]): Paint[] {
  const pens = new Map<number, { d: string; x: number; y: number }>();
  for (let i = 0; i < steps.length; i++) {
    const step = steps.charCodeAt(i) - FIRST;
    const x = i % cols;
    const y = (i - x) / cols;
    const pen = pens.get(step);
    if (!pen) pens.set(step, { d: `M${x} ${y}h1`, x: x + 1, y });
    else {
      pen.d += `m${x - pen.x} ${y - pen.y}h1`;
      pen.x = x + 1;
      pen.y = y;
    }
  }
  return [...pens.entries()].sort(([a], [b]) => a - b).map(([step, pen]) => ({ colour: colours[step + STEPS]!, d: pen.d }));
}

/** What the figure says about a layer, whichever row: the build puts this in the page as the island's props. */
export interface Summary {
  layer: number;
  tokens: string[];
  heads: number;
  dv: number;
  dModel: number;
  /** Ends of the colour scale: the heads' outputs and their concatenation share one. */
  limits: { heads: number; wo: number; output: number };
  difference: number;
}

/** Colour steps of each head's output, of the concatenation's slice for each head, of W_O and of the output. */
export interface Steps {
  heads: string[];
  concat: string[];
  wo: string;
  output: string;
}

export type Drawn = Summary & { steps: Steps };

export function draw(view: ConcatView): Drawn {
  const { tokens, heads, dv, dModel } = view;
  const n = tokens.length;
  const width = heads * dv;
  const limits = { heads: limitOf(view.concatenated), wo: limitOf(view.wo), output: limitOf(view.output) };
  return {
    layer: view.layer,
    tokens,
    heads,
    dv,
    dModel,
    limits,
    steps: {
      heads: view.headOutputs.map((o) => stepsOf(o, dv, limits.heads, [0, n], [0, dv])),
      concat: Array.from({ length: heads }, (_, h) => stepsOf(view.concatenated, width, limits.heads, [0, n], [h * dv, (h + 1) * dv])),
      wo: stepsOf(view.wo, dModel, limits.wo, [0, width], [0, dModel]),
      output: stepsOf(view.output, dModel, limits.output, [0, n], [0, dModel]),
    },
    difference: view.difference,
  };
}

/** One token's row through the layer: its concatenated row (each head's d_v numbers in turn) and its output row. */
export interface Row {
  row: number;
  concat: number[];
  output: number[];
}

export function rowOf(view: ConcatView, row: number): Row {
  const width = view.heads * view.dv;
  return {
    row,
    concat: Array.from(view.concatenated.subarray(row * width, (row + 1) * width), shortest),
    output: Array.from(view.output.subarray(row * view.dModel, (row + 1) * view.dModel), shortest),
  };
}

/** A number in a table: two decimals and a true minus sign. */
export const twoDecimals = (x: number): string => x.toFixed(2).replace('-', '\u2212');

/** Rows of a row-major matrix, for the tables. */
export function rowsOf(values: Float32Array, cols: number): Float32Array[] {
  return Array.from({ length: values.length / cols }, (_, r) => values.subarray(r * cols, (r + 1) * cols));
}
