/**
 * WebGPU rows for the attention benchmark: the fused "naive" kernel
 * (attention.wgsl, one workgroup per query row, the n × m scores never leave
 * the workgroup but every row rereads all of K and V) and the tiled kernel
 * (flash.wgsl, online softmax over key/value blocks held in workgroup memory).
 * In Node the GPU comes from Dawn (the `webgpu` package); without a usable
 * adapter there are no WebGPU rows, and the reason is printed.
 */
import { AttentionError } from '../src/errors';
import { planFlash } from '../src/webgpu/flash-plan';
import { createWebGpuBackend, type WebGpuBackend } from '../src/webgpu/backend';
import type { BenchImplementation } from './attention.bench';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let started: Promise<{ gpu: GPU; reason: null } | { gpu: null; reason: string }> | undefined;

/**
 * Dawn's WebGPU entry point (the `webgpu` package) on the Vulkan driver that
 * VK_ICD_FILENAMES names, Chromium's SwiftShader where it names none; or why
 * the package could not start. One per process, for the benchmarks and the
 * WebGPU tests alike: Dawn's GPU object must outlive every device made from
 * it (if it is collected, the process crashes), so it is made once and kept.
 */
export function startDawn(): Promise<{ gpu: GPU; reason: null } | { gpu: null; reason: string }> {
  started ??= (async () => {
    process.env['VK_ICD_FILENAMES'] ??= SWIFTSHADER_ICD;
    try {
      const { create, globals } = await import('webgpu');
      Object.assign(globalThis, globals);
      return { gpu: create([]), reason: null };
    } catch (error) {
      return { gpu: null, reason: `the webgpu package could not start: ${error instanceof Error ? error.message : String(error)}` };
    }
  })();
  return started;
}

/** Largest square-ish blocks, tried in order, that fit the device's workgroup memory and threads. */
const BLOCK_CANDIDATES: Array<[number, number]> = [[64, 64], [32, 64], [32, 32], [16, 32], [16, 16], [8, 16], [8, 8]];

export async function webGpuImplementations(d: number): Promise<{ impls: BenchImplementation[]; backend: WebGpuBackend | null; note: string }> {
  const { gpu, reason } = await startDawn();
  if (!gpu) return { impls: [], backend: null, note: `no WebGPU rows: ${reason}` };
  let backend: WebGpuBackend;
  try {
    backend = await createWebGpuBackend(gpu);
  } catch (error) {
    return { impls: [], backend: null, note: `no WebGPU rows: ${error instanceof Error ? error.message : String(error)}` };
  }
  const blocks = BLOCK_CANDIDATES.find(([br, bc]) => {
    try {
      planFlash(br, bc, d, d, backend.limits);
      return true;
    } catch (error) {
      if (error instanceof AttentionError && error.code === 'BLOCK_TOO_LARGE') return false;
      throw error;
    }
  });
  if (!blocks) return { impls: [], backend, note: 'no WebGPU rows: no flash block size fits this device' };
  const [blockRows, blockCols] = blocks;
  const where = `${backend.info.adapter}${backend.info.software ? ', software' : ''}`;
  return {
    backend,
    note: `WebGPU adapter: ${where}. GPU times include upload and readback.`,
    impls: [
      { name: 'WebGPU naive (fused)', run: async (q, k, v) => (await backend.attention(q, k, v)).output.data },
      { name: `WebGPU tiled (${blockRows}×${blockCols})`, run: async (q, k, v) => (await backend.flashAttention(q, k, v, { blockRows, blockCols })).data },
    ],
  };
}
