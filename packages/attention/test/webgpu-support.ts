/**
 * Shared by the WebGPU and engine tests: a real WebGPU in Node through Dawn
 * (the `webgpu` package, started by bench/webgpu.ts) on Chromium's SwiftShader
 * Vulkan driver unless VK_ICD_FILENAMES names another, plus the comparison the
 * tests use.
 */
import { expect } from 'vitest';
import { startDawn } from '../bench/webgpu';
import type { Tensor } from '../src/tensor';

/**
 * A GPU with a working adapter, or null with the reason. In CI (process.env.CI
 * set) a missing adapter throws instead: the WebGPU suite must fail there, not
 * skip quietly.
 */
export async function nodeGpu(): Promise<{ gpu: GPU; reason: null } | { gpu: null; reason: string }> {
  const started = await startDawn();
  let reason: string;
  if (!started.gpu) reason = started.reason;
  else {
    try {
      if (await started.gpu.requestAdapter()) return { gpu: started.gpu, reason: null };
      reason = `Dawn offered no WebGPU adapter (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES}; needs libvulkan1 and chromium's SwiftShader)`;
    } catch (error) {
      reason = `the webgpu package could not start: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  if (process.env.CI) throw new Error(`WebGPU tests cannot run in CI: ${reason}`);
  console.warn(`Skipping WebGPU tests: ${reason}`);
  return { gpu: null, reason };
}

/**
 * Tolerance of every GPU-vs-reference comparison, element by element:
 *   |actual − expected| ≤ REL · |expected| + ABS · max(1, max |expected|).
 * REL = 1e-5 is the brief's relative bound. The absolute floor covers values
 * near zero, where no relative bound can hold: a dot product that cancels to
 * ~0 carries the f32 rounding of its large terms, whose size is that of the
 * tensor's largest entries, hence the floor scales with max |expected| (the
 * reference sums in double precision, the GPU in f32). A wrong index or a
 * missed mask is off by O(1), far outside this.
 */
export const REL = 1e-5;
export const ABS = 1e-6;

export function expectClose(actual: Tensor, expected: Tensor, what = 'tensor'): void {
  expect(actual.shape, `${what} shape`).toEqual(expected.shape);
  let largest = 1;
  for (const e of expected.data) if (Number.isFinite(e)) largest = Math.max(largest, Math.abs(e));
  const floor = ABS * largest;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    if (a === e) continue; // includes -Infinity == -Infinity
    const excess = Math.abs(a - e) - (REL * Math.abs(e) + floor);
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    expect.fail(`${what}: index ${worst} is ${actual.data[worst]}, expected ${expected.data[worst]} (tolerance ${REL} relative + ${floor} absolute)`);
  }
}
