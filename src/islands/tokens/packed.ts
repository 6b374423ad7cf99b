/**
 * What the token explorer shows, and how the build hands it to the browser.
 * Nothing here computes attention: the weights come from the decoder run
 * through the attention engine (see reading.ts); this file only slices,
 * packs and unpacks them.
 */

import { fromBase64, toBase64 } from '../../lib/base64';

/** One sentence as the decoder read it. */
export interface Reading {
  /** The words it read, after any cut (position 0, <bos>, is not among them). */
  words: string[];
  /** Indices into `words` of the words outside the vocabulary. */
  unknown: number[];
  /** Set when the text was longer than the model reads. */
  cut?: string;
  /**
   * [layer][head][query]: the weights query position i puts on positions
   * 0..i (0 is <bos>). The model is causal, so positions after i are masked
   * and have no weight to show.
   */
  weights: Float32Array[][][];
  /**
   * The largest weight any head gave a masked (later) position, from the
   * model's full matrices: 0 when the causal mask holds.
   */
  maskedMax?: number;
}

/**
 * A Reading as island props. Astro writes props into the page as JSON, where
 * a weight printed at full precision takes about 20 characters plus Astro's
 * per-value wrapping; the visible weights as little-endian float32 in base64
 * take under 6, and come back bit for bit.
 */
export interface PackedReading {
  words: string[];
  unknown: number[];
  cut?: string;
  layers: number;
  heads: number;
  maskedMax?: number;
  /** Base64 of every visible weight, layer by layer, head by head, query by query. */
  data: string;
}

/** What one head was measured to do (public/models/heads.json), shown next to the head picker. */
export interface HeadNote {
  label: string;
  evidence: string;
  /** Mean weight "it" puts on the noun it refers to, and on the other noun, over held-out sentences. */
  itAntecedent: number;
  itOther: number;
  /** Share of those sentences where the largest weight of "it" is on the noun it refers to. */
  itTop: number;
}

/** The largest weight above the diagonal of a [tokens × tokens] matrix: what a causal model gave the positions it must not see. */
export function maskedMax(matrix: ArrayLike<number>, tokens: number): number {
  let max = 0;
  for (let i = 0; i < tokens; i++) for (let j = i + 1; j < tokens; j++) max = Math.max(max, Math.abs(matrix[i * tokens + j]!));
  return max;
}

/** The visible part of each row of a [tokens × tokens] causal weight matrix. */
export function visibleRows(matrix: ArrayLike<number>, tokens: number): Float32Array[] {
  return Array.from({ length: tokens }, (_, i) => Float32Array.from({ length: i + 1 }, (_, j) => matrix[i * tokens + j]!));
}

export function pack(reading: Reading): PackedReading {
  const rows = reading.weights.flat(2);
  const values = new Float32Array(rows.reduce((n, row) => n + row.length, 0));
  let at = 0;
  for (const row of rows) {
    values.set(row, at);
    at += row.length;
  }
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return {
    words: reading.words,
    unknown: reading.unknown,
    ...(reading.cut === undefined ? {} : { cut: reading.cut }),
    ...(reading.maskedMax === undefined ? {} : { maskedMax: reading.maskedMax }),
    layers: reading.weights.length,
    heads: reading.weights[0]?.length ?? 0,
    data: toBase64(bytes),
  };
}

export function unpack(packed: PackedReading): Reading {
  const view = new DataView(fromBase64(packed.data).buffer);
  const tokens = packed.words.length + 1;
  let at = 0;
  const weights = Array.from({ length: packed.layers }, () =>
    Array.from({ length: packed.heads }, () =>
      Array.from({ length: tokens }, (_, i) => {
        const row = new Float32Array(i + 1);
        for (let j = 0; j <= i; j++, at++) row[j] = view.getFloat32(at * 4, true);
        return row;
      }),
    ),
  );
  if (at * 4 !== view.byteLength) throw new Error(`The packed weights hold ${view.byteLength / 4} values; ${at} were expected.`);
  return {
    words: packed.words,
    unknown: packed.unknown,
    ...(packed.cut === undefined ? {} : { cut: packed.cut }),
    ...(packed.maskedMax === undefined ? {} : { maskedMax: packed.maskedMax }),
    weights,
  };
}
