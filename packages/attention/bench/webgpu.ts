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

/** Dawn's GPU object must outlive every device made from it: if it is collected, the process crashes. */
let keepAlive: GPU | undefined;

/** Largest square-ish blocks, tried in order, that fit the device's workgroup memory and threads. */
const BLOCK_CANDIDATES: Array<[number, number]> = [[64, 64], [32, 64], [32, 32], [16, 32], [16, 16], [8, 16], [8, 8]];

export async function webGpuImplementations(d: number): Promise<{ impls: BenchImplementation[]; backend: WebGpuBackend | null; note: string }> {
  process.env['VK_ICD_FILENAMES'] ??= SWIFTSHADER_ICD;
  let gpu: GPU;
  try {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    gpu = create([]);
    keepAlive = gpu;
  } catch (error) {
    return { impls: [], backend: null, note: `no WebGPU rows: the webgpu package could not start (${error instanceof Error ? error.message : String(error)})` };
  }
  let backend: WebGpuBackend;
  try {
    backend = await createWebGpuBackend(gpu);
  } catch (error) {
    return { impls: [], backend: null, note: `no WebGPU rows: ${error instanceof Error ? error.message : String(error)}` };
  }
  void keepAlive;
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
