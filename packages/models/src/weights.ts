/**
 * The shipped form of a trained model: one binary file of weights and a JSON
 * manifest that says what is in it.
 *
 * The binary file holds the final weights as IEEE half floats (float16,
 * little-endian), then each training snapshot as 8-bit integers with one
 * float32 scale per row (symmetric: w ≈ q · scale, scale = max|row| / 127).
 * The manifest gives every tensor's name and shape in storage order, the
 * vocabularies, the grammar version and where each part of the file begins.
 */

import { parameterCount, paramSpecs, type ModelConfig } from './model';

export { parameterCount };

export const WEIGHTS_FORMAT = 1;

export interface SnapshotEntry {
  step: number;
  trainLoss: number;
  validationLoss: number;
  /** Byte offset of the snapshot's scales (float32 × rows), followed by its int8 values. */
  offset: number;
}

export interface ModelManifest {
  format: typeof WEIGHTS_FORMAT;
  name: string;
  grammarVersion: number;
  config: ModelConfig;
  /** Vocabularies by role: "tokens" for the decoder-only model, "source" and "target" for translation. */
  vocabulary: Record<string, string[]>;
  /** Tensors in storage order. */
  tensors: Array<{ name: string; shape: [number, number] }>;
  /** The binary file, relative to the manifest. */
  file: string;
  bytes: number;
  training: { seed: number; steps: number; batchSize: number; learningRate: number; seconds: number };
  /** Final weights: float16 from byte 0. */
  final: { offset: 0; encoding: 'float16' };
  snapshots: SnapshotEntry[];
}

// ---- float16 ----

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Rounds a number to the nearest float16 (ties to even) and returns its bits. */
export function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m;
  }
  let bits = sign | (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && bits & 1)) bits++;
  return bits;
}

export function fromHalf(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

// ---- encoding ----

function rowsOf(config: ModelConfig): number[] {
  return paramSpecs(config).flatMap((s) => Array<number>(s.rows).fill(s.cols));
}

function encodeInt8(values: Float32Array, config: ModelConfig): Uint8Array {
  const rows = rowsOf(config);
  const out = new Uint8Array(rows.length * 4 + values.length);
  const scales = new DataView(out.buffer);
  let offset = 0;
  rows.forEach((cols, r) => {
    let max = 0;
    for (let j = 0; j < cols; j++) max = Math.max(max, Math.abs(values[offset + j]!));
    const scale = max / 127;
    scales.setFloat32(r * 4, scale, true);
    for (let j = 0; j < cols; j++) {
      const q = scale === 0 ? 0 : Math.round(values[offset + j]! / scale);
      out[rows.length * 4 + offset + j] = q & 0xff;
    }
    offset += cols;
  });
  return out;
}

function decodeInt8(bytes: Uint8Array, config: ModelConfig, size: number): Float32Array {
  const rows = rowsOf(config);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(size);
  const data = new Int8Array(bytes.buffer, bytes.byteOffset + rows.length * 4, size);
  let offset = 0;
  rows.forEach((cols, r) => {
    const scale = view.getFloat32(r * 4, true);
    for (let j = 0; j < cols; j++) values[offset + j] = data[offset + j]! * scale;
    offset += cols;
  });
  return values;
}


/** The binary file: final weights as float16, then each snapshot as int8 with row scales. Returns the bytes and each snapshot's offset. */
export function encodeWeights(config: ModelConfig, final: Float32Array, snapshots: readonly Float32Array[]): { bytes: Uint8Array; offsets: number[] } {
  const size = parameterCount(config);
  if (final.length !== size) throw new RangeError(`Expected ${size} weights, got ${final.length}.`);
  const parts: Uint8Array[] = [];
  const half = new Uint8Array(size * 2);
  const view = new DataView(half.buffer);
  for (let i = 0; i < size; i++) view.setUint16(i * 2, toHalf(final[i]!), true);
  parts.push(half);
  const offsets: number[] = [];
  let at = half.length;
  for (const s of snapshots) {
    offsets.push(at);
    const encoded = encodeInt8(s, config);
    parts.push(encoded);
    at += encoded.length;
  }
  const bytes = new Uint8Array(at);
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  return { bytes, offsets };
}

/** The final weights from a model's binary file. */
export function decodeFinal(manifest: ModelManifest, bytes: Uint8Array): Float32Array {
  const size = parameterCount(manifest.config);
  if (bytes.byteLength !== manifest.bytes) {
    throw new RangeError(`${manifest.file} should be ${manifest.bytes} bytes but is ${bytes.byteLength}; it may be truncated or from another training run.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = fromHalf(view.getUint16(i * 2, true));
  return values;
}

/** Snapshot `index` (0 = before training) from a model's binary file. */
export function decodeSnapshot(manifest: ModelManifest, bytes: Uint8Array, index: number): Float32Array {
  const entry = manifest.snapshots[index];
  if (!entry) throw new RangeError(`${manifest.name} has snapshots 0 to ${manifest.snapshots.length - 1}; there is no snapshot ${index}.`);
  const size = parameterCount(manifest.config);
  const rows = rowsOf(manifest.config).length;
  return decodeInt8(bytes.subarray(entry.offset, entry.offset + rows * 4 + size), manifest.config, size);
}
