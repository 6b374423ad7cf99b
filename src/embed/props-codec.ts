/**
 * An island's build-time props as JSON for its custom element
 * (/embed/<id>/props.json), keeping what plain JSON loses and Astro's own
 * island props carry: byte arrays (as base64) and infinite numbers.
 */
import { fromBase64, toBase64 } from '../lib/base64';

const TYPED = { Uint8Array, Uint16Array, Uint32Array, Int32Array, Float32Array, Float64Array } as const;
type TypedName = keyof typeof TYPED;

export function encodeProps(props: Record<string, unknown>): string {
  return JSON.stringify(props, function (this: unknown, key: string, value: unknown) {
    const raw = (this as Record<string, unknown>)[key];
    if (typeof raw === 'number' && !Number.isFinite(raw)) return { $number: String(raw) };
    if (ArrayBuffer.isView(raw)) {
      const name = raw.constructor.name;
      if (!(name in TYPED)) throw new Error(`props: no encoding for ${name}`);
      return { $typed: name, base64: toBase64(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)) };
    }
    if (raw instanceof Map || raw instanceof Set || typeof raw === 'function' || typeof raw === 'bigint') {
      throw new Error(`props: ${key} is not JSON`);
    }
    return value;
  });
}

export function decodeProps(json: string): Record<string, unknown> {
  return JSON.parse(json, (_key, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      if (typeof record['$number'] === 'string' && Object.keys(record).length === 1) return Number(record['$number']);
      if (typeof record['$typed'] === 'string' && typeof record['base64'] === 'string' && record['$typed'] in TYPED) {
        const bytes = fromBase64(record['base64']);
        const Typed = TYPED[record['$typed'] as TypedName];
        return new Typed(bytes.buffer, 0, bytes.byteLength / Typed.BYTES_PER_ELEMENT);
      }
    }
    return value;
  }) as Record<string, unknown>;
}
