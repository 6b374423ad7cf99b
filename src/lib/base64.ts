/**
 * Bytes as base64 and back: how the build hands packed numbers (float32
 * matrices, typed arrays in props) to the page, a third the size of the same
 * numbers as JSON. Encoded in slices, so a large array never becomes one
 * call's arguments.
 */
const SLICE = 0x8000;

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += SLICE) binary += String.fromCharCode(...bytes.subarray(i, i + SLICE));
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
