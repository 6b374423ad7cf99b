/**
 * The head gallery and the training snapshots: what they show beside the
 * weights (each head's measured role, the loss curve) and how they lay the
 * weights out for the shared heatmap. Nothing here computes attention: the
 * weights come from the decoder run through the attention engine.
 */
import { WEIGHT_STEPS } from '../../lib/colour';
import { shortest } from '../../lib/float32';
import type { Reading } from '../tokens/packed';

/** One head's entry in public/models/heads.json (the fields the gallery shows). */
export interface MeasuredHead {
  layer: string;
  head: number;
  label: string;
  evidence: string;
  figures: { previousToken: number; firstToken: number; copySource: number };
}

/** What one head was measured to do on held-out sentences, as the gallery shows it. */
export interface HeadSummary {
  label: string;
  evidence: string;
  /** Mean weight a token puts on the token just before it. */
  previousToken: number;
  /** Mean weight on the first position (the start token). */
  firstToken: number;
  /** Mean weight, at the positions that predict a repeated name, on that name's earlier occurrence. */
  copySource: number;
}

/** The measured heads by layer ("layer0.self", "layer1.self", …) then head; throws unless every layer has `heads` heads. */
export function headSummaries(measured: readonly MeasuredHead[], heads: number): HeadSummary[][] {
  const layers = [...new Set(measured.map((h) => h.layer))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return layers.map((layer) => {
    const row = measured.filter((h) => h.layer === layer).sort((a, b) => a.head - b.head);
    if (row.length !== heads || row.some((h, i) => h.head !== i)) {
      throw new Error(`public/models/heads.json describes ${row.length} heads in ${layer}, not ${heads}: run \`npm run heads\`.`);
    }
    return row.map(({ label, evidence, figures }) => ({
      label,
      evidence,
      previousToken: figures.previousToken,
      firstToken: figures.firstToken,
      copySource: figures.copySource,
    }));
  });
}

/** A share as a percentage with one decimal, as heads.json's evidence writes it: 0.5226 → "52.3%". */
export const percent = (x: number): string => `${(x * 100).toFixed(1)}%`;

/**
 * A causal head's visible rows (row i holds positions 0..i) as the square
 * row-major matrix the heatmap draws; the masked cells, which the heatmap
 * hatches and never prints, hold 0. With `short`, each weight is the
 * shortest decimal that reads back as the same float32 (the enlarged map
 * prints every weight into the page).
 */
export function squareMatrix(rows: readonly ArrayLike<number>[], short = false): number[] {
  const n = rows.length;
  const out = Array<number>(n * n).fill(0);
  rows.forEach((row, i) => {
    if (row.length !== i + 1) throw new RangeError(`Row ${i} of a causal head should have ${i + 1} weights, not ${row.length}.`);
    for (let j = 0; j <= i; j++) out[i * n + j] = short ? shortest(row[j]!) : row[j]!;
  });
  return out;
}

/** The causal mask: query i sees keys 0..i. */
export const causal = (r: number, c: number): boolean => c > r;

/** Token labels for the maps: the start token (<bos>) as "start", unknown words marked with an asterisk. */
export function tokenLabels(words: readonly string[], unknown: readonly number[]): string[] {
  return ['start', ...words.map((w, i) => (unknown.includes(i) ? `${w}*` : w))];
}

// ---- The build's reading as props ----

/**
 * What the page carries for an island's first state: the sentence, and
 * every head's weights as the colour steps its thumbnail draws (one
 * character each). Exact float32 weights for eight heads would not compress
 * (their mantissas look random) and would take most of an island's HTML
 * budget, so the exact numbers, and the enlarged map that prints them,
 * come from the model run in the browser.
 */
export interface PackedThumbnails {
  words: string[];
  unknown: number[];
  cut?: string;
  layers: number;
  heads: number;
  /** Every head's visible weights, head by head and query by query, as STEP_CHARS[round(w × WEIGHT_STEPS)]. */
  steps: string;
}

const STEP_CHARS = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, WEIGHT_STEPS + 1);

export function packThumbnails(reading: Reading): PackedThumbnails {
  const steps = reading.weights
    .flat(2)
    .map((row) => Array.from(row, (w) => STEP_CHARS[Math.round(Math.min(1, Math.max(0, w)) * WEIGHT_STEPS)]).join(''))
    .join('');
  return {
    words: reading.words,
    unknown: reading.unknown,
    ...(reading.cut === undefined ? {} : { cut: reading.cut }),
    layers: reading.weights.length,
    heads: reading.weights[0]?.length ?? 0,
    steps,
  };
}

/**
 * The thumbnails' reading: each weight as its colour step, k / WEIGHT_STEPS,
 * which a thumbnail draws exactly as it draws the true weight. Not for
 * printing: the numbers are only that close to the model's.
 */
export function unpackThumbnails(packed: PackedThumbnails): Reading {
  const tokens = packed.words.length + 1;
  let at = 0;
  const weights = Array.from({ length: packed.layers }, () =>
    Array.from({ length: packed.heads }, () =>
      Array.from({ length: tokens }, (_, i) => {
        const row = Float32Array.from({ length: i + 1 }, (_, j) => {
          const step = STEP_CHARS.indexOf(packed.steps[at + j] ?? '');
          if (step < 0) throw new Error(`The packed steps hold ${packed.steps.length} weights, or an unknown step; ${at + j + 1} were expected.`);
          return step / WEIGHT_STEPS;
        });
        at += i + 1;
        return row;
      }),
    ),
  );
  if (at !== packed.steps.length) throw new Error(`The packed steps hold ${packed.steps.length} weights; ${at} were expected.`);
  return { words: packed.words, unknown: packed.unknown, ...(packed.cut === undefined ? {} : { cut: packed.cut }), weights };
}

// ---- The loss curve ----

/** One training snapshot as public/models/decoder.json lists it. */
export interface LossPoint {
  step: number;
  trainLoss: number;
  validationLoss: number;
}

export interface LossChart {
  width: number;
  height: number;
  /** The plot area inside the axes. */
  plot: { left: number; top: number; right: number; bottom: number };
  x: (step: number) => number;
  y: (loss: number) => number;
  train: string;
  validation: string;
  xTicks: number[];
  yTicks: number[];
}

/** A round step between ticks that gives at most `most` intervals over [0, max]. */
export function tickStep(max: number, most: number): number {
  const raw = max / most;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
}

/** Geometry of the loss chart: steps across from 0, loss up from 0, one polyline per loss. */
export function lossChart(points: readonly LossPoint[], width = 320, height = 180): LossChart {
  const plot = { left: 34, top: 8, right: width - 10, bottom: height - 34 };
  const maxStep = Math.max(...points.map((p) => p.step));
  const maxLoss = Math.max(...points.flatMap((p) => [p.trainLoss, p.validationLoss]));
  const yStep = tickStep(maxLoss, 5);
  const yMax = Math.ceil(maxLoss / yStep) * yStep;
  const xStep = tickStep(maxStep, 5);
  const x = (step: number) => plot.left + (step / maxStep) * (plot.right - plot.left);
  const y = (loss: number) => plot.bottom - (loss / yMax) * (plot.bottom - plot.top);
  const line = (value: (p: LossPoint) => number) => points.map((p, i) => `${i ? 'L' : 'M'}${x(p.step).toFixed(1)} ${y(value(p)).toFixed(1)}`).join('');
  const ticks = (stepSize: number, max: number) => Array.from({ length: Math.floor(max / stepSize + 1e-9) + 1 }, (_, i) => i * stepSize);
  return {
    width,
    height,
    plot,
    x,
    y,
    train: line((p) => p.trainLoss),
    validation: line((p) => p.validationLoss),
    xTicks: ticks(xStep, maxStep),
    yTicks: ticks(yStep, yMax),
  };
}
