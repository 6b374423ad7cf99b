import fc from 'fast-check';
import { expect } from 'vitest';
import { AttentionError } from '../src/errors';
import type { AttentionErrorCode } from '../src/errors';
import { randn } from '../src/tensor';
import type { Tensor } from '../src/tensor';
import type { MaskSpec } from '../src/types';

/**
 * Relative closeness in the max norm: every |actual − expected| is at most
 * `rel` times the largest |expected| (or `rel` itself when expected is all
 * zeros). Element-wise relative error is meaningless for values that cancel
 * to near zero, so the scale is the tensor's.
 */
export function expectClose(actual: Tensor | Float32Array, expected: Tensor | Float32Array, rel = 1e-5): void {
  const a = actual instanceof Float32Array ? actual : actual.data;
  const e = expected instanceof Float32Array ? expected : expected.data;
  if (!(actual instanceof Float32Array) && !(expected instanceof Float32Array)) expect(actual.shape).toEqual(expected.shape);
  expect(a.length).toBe(e.length);
  let scale = 0;
  for (const value of e) scale = Math.max(scale, Math.abs(value));
  const tolerance = rel * (scale > 0 ? scale : 1);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < e.length; i++) {
    const error = Math.abs(a[i]! - e[i]!);
    if (!(error <= worst)) {
      worst = error;
      at = i;
    }
  }
  if (!(worst <= tolerance)) {
    throw new Error(`max |difference| ${worst} at index ${at} (${a[at]} vs ${e[at]}) exceeds ${rel} × ${scale}`);
  }
}

/** Asserts that `run` throws (or rejects with) an AttentionError with this code, and returns it. */
export async function expectCode(run: () => unknown, code: AttentionErrorCode): Promise<AttentionError> {
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(AttentionError);
  expect((caught as AttentionError).code).toBe(code);
  return caught as AttentionError;
}

/** q [n, dk], k [m, dk], v [m, dv] from a seed. */
export function qkv(n: number, m: number, dk: number, dv: number, seed: number): [Tensor, Tensor, Tensor] {
  return [randn([n, dk], seed), randn([m, dk], seed + 1), randn([m, dv], seed + 2)];
}

/** Problem sizes for property tests: small enough that 50 runs take milliseconds. */
export const sizes = fc.record({
  n: fc.integer({ min: 1, max: 37 }),
  m: fc.integer({ min: 1, max: 37 }),
  dk: fc.integer({ min: 1, max: 17 }),
  dv: fc.integer({ min: 1, max: 17 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
});

/** Every parametrised mask kind (boolean masks are tested on their own). */
export const masks = fc.oneof(
  fc.constant<MaskSpec>({ kind: 'none' }),
  fc.constant<MaskSpec>({ kind: 'causal' }),
  fc.integer({ min: 1, max: 6 }).map((window): MaskSpec => ({ kind: 'sliding-window', window })),
  fc.integer({ min: 1, max: 6 }).map((stride): MaskSpec => ({ kind: 'strided', stride })),
  fc.integer({ min: 1, max: 6 }).chain((stride) => fc.integer({ min: 1, max: stride }).map((summary): MaskSpec => ({ kind: 'fixed', stride, summary }))),
);
