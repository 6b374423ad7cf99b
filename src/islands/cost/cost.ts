/**
 * The arithmetic of "The cost of n²": bytes of the score matrices and
 * multiply-adds of QKᵀ and AV for a chosen length, heads, layers, head width
 * and precision, measured against three devices' memory. Sizes only: nothing
 * here allocates a matrix, so any length up to a million is safe to ask for.
 */
import { BYTES_PER_ELEMENT, DEVICES, formatCount, scoreMatrixBytes, type Precision } from '../../lib/sizes';

export const LENGTH_MIN = 512;
export const LENGTH_MAX = 1_048_576;
/** The slider moves in quarter powers of two, from 2^9 to 2^20. */
export const SLIDER_STEPS = 4 * (Math.log2(LENGTH_MAX) - Math.log2(LENGTH_MIN));
export const HEADS_MAX = 256;
export const LAYERS_MAX = 256;
export const HEAD_DIMS = [64, 128, 256] as const;
export const PRECISIONS = Object.keys(BYTES_PER_ELEMENT) as Precision[];

export interface CostSetting {
  n: number;
  heads: number;
  layers: number;
  headDim: number;
  precision: Precision;
}

/** Llama 2 7B's shape (src/lib/sizes.ts) at 8,192 tokens in fp16: the chapter's worked example. */
export const DEFAULT_COST: CostSetting = { n: 8192, heads: 32, layers: 32, headDim: 128, precision: 'fp16' };

export type DeviceKey = keyof typeof DEVICES;
export const DEVICE_KEYS = Object.keys(DEVICES) as DeviceKey[];

export interface Cost {
  /** One n × n matrix: one head in one layer. */
  perHead: number;
  /** Every head of one layer. */
  perLayer: number;
  /** Every head of every layer, if all were held at once. */
  model: number;
  /** Multiply-adds of QKᵀ (n² · d_k) and of AV (n² · d_v), one head, one layer. */
  qkMacs: number;
  avMacs: number;
  /** Both products over every head and layer. */
  modelMacs: number;
  /** Per device: the first length at which the whole model's matrices exceed its memory (null if none up to LENGTH_MAX), and the first for one layer's. */
  limits: Record<DeviceKey, { model: number | null; layer: number | null }>;
}

/** The smallest n with perN · n² > bytes, or null beyond LENGTH_MAX. */
function firstLengthOver(bytes: number, perN: number): number | null {
  let n = Math.floor(Math.sqrt(bytes / perN));
  while (perN * n * n <= bytes) n += 1;
  return n <= LENGTH_MAX ? n : null;
}

export function costOf(s: CostSetting): Cost {
  const perHead = scoreMatrixBytes(s.n, s.precision);
  const perLayer = s.heads * perHead;
  const model = s.layers * perLayer;
  const qkMacs = s.n * s.n * s.headDim;
  const element = BYTES_PER_ELEMENT[s.precision];
  const limits = Object.fromEntries(
    DEVICE_KEYS.map((key) => [
      key,
      { model: firstLengthOver(DEVICES[key].bytes, s.layers * s.heads * element), layer: firstLengthOver(DEVICES[key].bytes, s.heads * element) },
    ]),
  ) as Cost['limits'];
  return { perHead, perLayer, model, qkMacs, avMacs: qkMacs, modelMacs: 2 * qkMacs * s.heads * s.layers, limits };
}

/** Slider position (0 … SLIDER_STEPS) to a length, and the nearest position for a length. */
export function lengthAt(position: number): number {
  return Math.round(LENGTH_MIN * 2 ** (position / 4));
}
export function positionOf(n: number): number {
  return Math.min(SLIDER_STEPS, Math.max(0, Math.round(4 * Math.log2(n / LENGTH_MIN))));
}

export type Parsed = { ok: true; value: number } | { ok: false; message: string };

/** A typed whole number within [min, max], commas and spaces allowed ("8,192"). */
export function parseWhole(text: string, what: string, min: number, max: number): Parsed {
  const cleaned = text.replace(/[\s,_]/g, '');
  if (!/^\d+$/.test(cleaned)) return { ok: false, message: `${what} must be a whole number from ${formatCount(min)} to ${formatCount(max)}; “${text.trim()}” is not one.` };
  const value = Number(cleaned);
  if (value < min || value > max) return { ok: false, message: `${what} must be from ${formatCount(min)} to ${formatCount(max)}; ${formatCount(value)} is out of range.` };
  return { ok: true, value };
}

/** A large count as mantissa × 10^exponent (three significant figures); below a million, exponent 0. */
export function scientific(x: number): { mantissa: string; exponent: number } {
  if (x < 1e6) return { mantissa: formatCount(x), exponent: 0 };
  let exponent = Math.floor(Math.log10(x));
  let mantissa = Number((x / 10 ** exponent).toPrecision(3));
  if (mantissa >= 10) {
    mantissa /= 10;
    exponent += 1;
  }
  return { mantissa: String(mantissa), exponent };
}
