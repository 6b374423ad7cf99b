import type { MaskSpec } from '../types';

/** Numbers for mask kinds; must match the MASK_* constants of mask.wgsl. */
export const MASK_KIND = {
  none: 0,
  causal: 1,
  'sliding-window': 2,
  strided: 3,
  fixed: 4,
  boolean: 5,
} as const satisfies Record<MaskSpec['kind'], number>;

/** A mask as the kernels take it: a kind, two parameters, and for `boolean` one u32 flag per (query, key). */
export interface EncodedMask {
  kind: number;
  a: number;
  b: number;
  bits: Uint32Array | null;
}

export function encodeMask(spec: MaskSpec | undefined): EncodedMask {
  if (!spec) return { kind: MASK_KIND.none, a: 0, b: 0, bits: null };
  switch (spec.kind) {
    case 'none':
    case 'causal':
      return { kind: MASK_KIND[spec.kind], a: 0, b: 0, bits: null };
    case 'sliding-window':
      return { kind: MASK_KIND[spec.kind], a: spec.window, b: 0, bits: null };
    case 'strided':
      return { kind: MASK_KIND[spec.kind], a: spec.stride, b: 0, bits: null };
    case 'fixed':
      return { kind: MASK_KIND[spec.kind], a: spec.stride, b: spec.summary, bits: null };
    case 'boolean':
      // u32 per flag: WGSL storage buffers have no 8-bit type.
      return { kind: MASK_KIND.boolean, a: 0, b: 0, bits: Uint32Array.from(spec.allowed, (x) => (x ? 1 : 0)) };
  }
}
