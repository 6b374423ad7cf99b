/**
 * What the "self vs cross" figure shows, and how the build hands it to the
 * browser. Nothing here computes attention: the weights come from the
 * translation model run through the attention engine (see translation.ts);
 * this file only picks, packs and unpacks them.
 */
import { weightStep, WEIGHT_STEPS } from '../../lib/colour';

/** One English sentence, its French translation and the three kinds of attention weights. */
export interface Pairing {
  /** The English words the encoder read, after any cut. */
  english: string[];
  /** Indices into `english` of words outside the vocabulary (read as <unk>). */
  unknown: number[];
  /** Set when the text was longer than the model reads. */
  cut?: string;
  /** The French words the decoder wrote, without <bos> and <eos>. */
  french: string[];
  /** False when the model hit its length limit before writing <eos>. */
  finished: boolean;
  /** [layer][head]: encoder self-attention, m × m (m English tokens), row-major. */
  encoder: Float32Array[][];
  /** [head]: masked decoder self-attention over <bos> + the French, n × n. */
  self: Float32Array[];
  /** [head]: decoder-to-encoder cross-attention, n × m. */
  cross: Float32Array[];
}

/** The heads a figure shows: an encoder layer and head, a decoder self-attention head and a cross-attention head. */
export interface Picked {
  layer: number;
  encoderHead: number;
  selfHead: number;
  crossHead: number;
}

/**
 * What the build hands the browser: the words, the heads picked, and the
 * three picked matrices as colour steps, one character a cell. That is all
 * the first state draws (a lite map: colours, no numbers); the browser runs
 * the model as soon as the island hydrates and swaps in the full maps with
 * the engine's numbers. Every head's weights at full precision would be
 * several times the page's budget for an island.
 */
export interface PackedPairing extends Omit<Pairing, 'encoder' | 'self' | 'cross'> {
  picked: Picked;
  /** The encoder, self-attention and cross-attention matrices' colour steps, row by row, one after the other. */
  steps: string;
}

/** The three matrices a figure shows, row-major. */
export interface Shown {
  encoder: ArrayLike<number>;
  self: ArrayLike<number>;
  cross: ArrayLike<number>;
}

export function shown(pairing: Pairing, picked: Picked): Shown {
  return { encoder: pairing.encoder[picked.layer]![picked.encoderHead]!, self: pairing.self[picked.selfHead]!, cross: pairing.cross[picked.crossHead]! };
}

/** One character per colour step, 0 to WEIGHT_STEPS. */
const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, WEIGHT_STEPS + 1);

export function pack(pairing: Pairing, picked: Picked): PackedPairing {
  const { encoder: _e, self: _s, cross: _c, ...words } = pairing;
  const maps = shown(pairing, picked);
  const steps = [maps.encoder, maps.self, maps.cross].map((w) => Array.from(w, (x) => DIGITS[weightStep(x)]).join('')).join('');
  return { ...words, picked, steps };
}

/**
 * The words, the heads picked and their three matrices, each weight rounded
 * to its colour step: enough to draw the lite maps, not to print numbers.
 */
export function unpack(packed: PackedPairing): { words: Omit<Pairing, 'encoder' | 'self' | 'cross'>; picked: Picked; maps: Shown } {
  const { picked, steps, ...words } = packed;
  const m = packed.english.length;
  const n = packed.french.length + 1;
  if (steps.length !== m * m + n * n + n * m) throw new Error(`The packed maps hold ${steps.length} cells; ${m * m + n * n + n * m} were expected.`);
  const values = Array.from(steps, (ch) => {
    const step = DIGITS.indexOf(ch);
    if (step < 0) throw new Error(`“${ch}” is not a colour step.`);
    return step / WEIGHT_STEPS;
  });
  return { words, picked, maps: { encoder: values.slice(0, m * m), self: values.slice(m * m, m * m + n * n), cross: values.slice(m * m + n * n) } };
}
