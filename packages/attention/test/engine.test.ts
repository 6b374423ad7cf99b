import { afterEach, describe, expect, it } from 'vitest';
import { attentionReference, matmulReference, softmaxReference } from '../src/cpu/reference';
import { handleMessage } from '../src/cpu/worker';
import type { WorkerRequest } from '../src/cpu/protocol';
import { createEngine, FORCED_CPU_REASON, INLINE_WORK, type Engine, type WorkerLike } from '../src/engine';
import { flashAttentionCpu } from '../src/flash';
import { multiHeadAttention } from '../src/multihead';
import { Batch } from '../src/batch';
import { createCpuBackend } from '../src/cpu/backend';
import { randn } from '../src/tensor';
import type { MultiHeadWeights } from '../src/types';
import { expectClose, nodeGpu } from './webgpu-support';

const { gpu, reason } = await nodeGpu();

const q = randn([7, 4], 1);
const k = randn([9, 4], 2);
const v = randn([9, 3], 3);
const causal = { mask: { kind: 'causal' as const } };
const want = attentionReference(q, k, v, causal).output;

const engines: Engine[] = [];
async function engine(options: Parameters<typeof createEngine>[0]): Promise<Engine> {
  const e = await createEngine(options);
  engines.push(e);
  return e;
}
afterEach(() => {
  for (const e of engines.splice(0)) e.dispose();
});

/** A worker stand-in that runs the worker's handler in-process and records what it was sent. */
function inProcessWorker(posted: WorkerRequest[]): () => WorkerLike {
  return () => {
    const listeners: ((event: { data: unknown }) => void)[] = [];
    return {
      postMessage(message) {
        posted.push(message as WorkerRequest);
        void handleMessage(message as WorkerRequest, (response) => listeners.forEach((l) => l({ data: response })));
      },
      addEventListener(type: string, listener: (event: { data: unknown }) => void) {
        if (type === 'message') listeners.push(listener);
      },
      terminate() {},
    } as WorkerLike;
  };
}

/** A navigator.gpu stand-in: only requestAdapter is ever called before the failure. */
function fakeGpu(requestAdapter: () => Promise<unknown>): GPU {
  return { requestAdapter } as unknown as GPU;
}

describe('engine without WebGPU', () => {
  it('uses the CPU when the reader forces it', async () => {
    const e = await engine({ prefer: 'cpu', ...(gpu ? { gpu } : {}) });
    expect(e.backend).toEqual({ kind: 'cpu', reason: FORCED_CPU_REASON });
    expectClose((await e.attention(q, k, v, causal)).output, want);
  });

  it('says so when there is no navigator.gpu', async () => {
    const e = await engine({});
    expect(e.backend).toEqual({ kind: 'cpu', reason: 'this browser does not offer WebGPU' });
    expectClose((await e.attention(q, k, v, causal)).output, want);
  });

  it('falls back when no adapter is offered', async () => {
    const e = await engine({ gpu: fakeGpu(async () => null) });
    expect(e.backend).toEqual({ kind: 'cpu', reason: 'no WebGPU adapter was offered' });
    expectClose((await e.attention(q, k, v, causal)).output, want);
  });

  it('falls back when the device request fails', async () => {
    const adapter = {
      info: { description: 'Fake', isFallbackAdapter: false },
      limits: {},
      requestDevice: () => Promise.reject(new Error('out of devices')),
    };
    const e = await engine({ gpu: fakeGpu(async () => adapter) });
    expect(e.backend).toEqual({ kind: 'cpu', reason: 'the WebGPU device request failed: out of devices' });
    expectClose(await e.matmul(q, k, { transposeB: true }), matmulReference(q, k, true));
  });

  it('runs the CPU in a worker when given one', async () => {
    const posted: WorkerRequest[] = [];
    const makeWorker = inProcessWorker(posted);
    const e = await engine({ prefer: 'cpu', makeWorker, inlineWork: 0 });
    expectClose((await e.attention(q, k, v, causal)).output, want);
    expect(posted.map((r) => r.op)).toEqual(['attention']);
    // By default work this small (under INLINE_WORK multiply-adds) runs at once, without the worker, to the same numbers.
    const inline = await engine({ prefer: 'cpu', makeWorker });
    expectClose((await inline.attention(q, k, v, causal)).output, want);
    expect(posted.map((r) => r.op)).toEqual(['attention']);
    // The limit itself: 64 × 64 × (127 + 1) multiply-adds stay inline, 64 × 64 × (128 + 1) go to the worker.
    expect(64 * 64 * (127 + 1)).toBe(INLINE_WORK);
    for (const [width, sent] of [[127, 1], [128, 2]] as const) {
      const [wq, wk, wv] = [randn([64, width], 1), randn([64, width], 2), randn([64, 1], 3)];
      expectClose((await inline.attention(wq, wk, wv)).output, attentionReference(wq, wk, wv).output);
      expect(posted, `d_k = ${width}`).toHaveLength(sent);
    }
  });

  it('runs a large tiled pass in the worker and a small one inline, with the CPU pass’s output and counts', async () => {
    const posted: WorkerRequest[] = [];
    const makeWorker = inProcessWorker(posted);
    const e = await engine({ prefer: 'cpu', makeWorker, inlineWork: 1000 });
    const options = { blockRows: 3, blockCols: 4, ...causal };
    const small = await e.flashAttention(q, k, v, options);
    expect(posted).toEqual([]);
    expect(small).toEqual(flashAttentionCpu(q, k, v, options));
    const [bq, bk, bv] = [randn([40, 8], 31), randn([40, 8], 32), randn([40, 8], 33)];
    const large = await e.flashAttention(bq, bk, bv, { blockRows: 8, blockCols: 8 });
    expect(posted.map((r) => r.op)).toEqual(['flashAttention']);
    expect(large).toEqual(flashAttentionCpu(bq, bk, bv, { blockRows: 8, blockCols: 8 }));
  });

  it('validates before computing, and enforces the memory budget', async () => {
    const e = await engine({ prefer: 'cpu', memoryBudgetBytes: 256 });
    await expect(e.matmul(q, v)).rejects.toMatchObject({ code: 'SHAPE_MISMATCH' });
    await expect(e.attention(randn([40, 4], 5), k, v)).rejects.toMatchObject({ code: 'MEMORY_BUDGET' });
  });

  it('rejects calls after dispose', async () => {
    const e = await createEngine({ prefer: 'cpu' });
    e.dispose();
    await expect(e.softmax(q)).rejects.toMatchObject({ code: 'BACKEND_FAILED' });
  });
});

describe.skipIf(!gpu)(`engine on WebGPU${reason ? ` (skipped: ${reason})` : ''}`, () => {
  it('reports the adapter and matches the reference on every op', async () => {
    const e = await engine({ gpu: gpu! });
    // nodeGpu loads SwiftShader (a fallback adapter) unless VK_ICD_FILENAMES names a real GPU's driver.
    const softwareDriver = /swiftshader/i.test(process.env.VK_ICD_FILENAMES ?? '');
    expect(e.backend).toMatchObject({ kind: 'webgpu', software: softwareDriver });
    expectClose(await e.matmul(q, k, { transposeB: true }), matmulReference(q, k, true), 'matmul');
    expectClose(await e.softmax(q, { temperature: 2 }), softmaxReference(q, { temperature: 2 }), 'softmax');
    expectClose((await e.attention(q, k, v, causal)).output, want, 'attention');

    const flash = await e.flashAttention(q, k, v, { blockRows: 3, blockCols: 4, ...causal });
    const model = flashAttentionCpu(q, k, v, { blockRows: 3, blockCols: 4, ...causal });
    expectClose(flash.output, want, 'flash');
    expect(flash.traffic).toEqual(model.traffic);
    expect(flash.standardTraffic).toEqual(model.standardTraffic);

    const x = randn([5, 8], 10);
    const weights: MultiHeadWeights = { wq: randn([8, 8], 11), wk: randn([8, 4], 12), wv: randn([8, 4], 13), wo: randn([8, 8], 14) };
    const options = { heads: 4, kvHeads: 2, ...causal };
    const got = await e.multiHeadAttention(x, x, weights, options);
    const cpu = await multiHeadAttention(createCpuBackend('test'), x, x, weights, options);
    expectClose(got.output, cpu.output, 'multi-head output');
    got.weights.forEach((w, h) => expectClose(w, cpu.weights[h]!, `head ${h} weights`));
    expect(e.backend.kind).toBe('webgpu');
  });

  it('passes refusals through without leaving WebGPU', async () => {
    const e = await engine({ gpu: gpu! });
    const big = randn([300, 64], 20);
    await expect(e.flashAttention(big, big, big, { blockRows: 256, blockCols: 256 })).rejects.toMatchObject({ code: 'BLOCK_TOO_LARGE' });
    await expect(e.attention(q, q, v)).rejects.toMatchObject({ code: 'SHAPE_MISMATCH' });
    expect(e.backend.kind).toBe('webgpu');
  });

  it('falls back when the device is lost mid-run, and still answers', async () => {
    const e = await engine({ gpu: gpu!, faults: { loseDeviceAfterCalls: 2 } });
    expectClose((await e.attention(q, k, v, causal)).output, want);
    expectClose((await e.attention(q, k, v, causal)).output, want);
    expect(e.backend.kind).toBe('webgpu');
    // The third call destroys the device after submitting its work.
    expectClose((await e.attention(q, k, v, causal)).output, want);
    expect(e.backend.kind).toBe('cpu');
    expect(e.backend.kind === 'cpu' && e.backend.reason).toMatch(/^the WebGPU device was lost: /);
    // For good: later calls stay on the CPU.
    expectClose((await e.attention(q, k, v, causal)).output, want);
    expect(e.backend.kind).toBe('cpu');
  });

  it('falls back when a shader fails to compile', async () => {
    const e = await engine({ gpu: gpu!, faults: { failShaderCompile: true } });
    expect(e.backend.kind).toBe('webgpu');
    const flash = await e.flashAttention(q, k, v, { blockRows: 4, blockCols: 4, ...causal });
    expectClose(flash.output, want);
    expect(e.backend.kind === 'cpu' && e.backend.reason).toMatch(/^a WebGPU shader \(flash\) failed to compile: /);
  });

  it('runs a batch on the CPU when a shader fails to compile, and says why', async () => {
    const e = await engine({ gpu: gpu!, faults: { failShaderCompile: true } });
    const batch = new Batch();
    const out = batch.read(batch.attention(batch.input(q), batch.input(k), batch.input(v), causal).output);
    expectClose((await e.run(batch)).get(out), want);
    expect(e.backend.kind === 'cpu' && e.backend.reason).toMatch(/^a WebGPU shader \(\w+\) failed to compile: /);
  });

  it('reruns a multi-head call (one batch) on the CPU when the device is lost during it', async () => {
    const e = await engine({ gpu: gpu!, faults: { loseDeviceAfterCalls: 1 } });
    const x = randn([6, 8], 30);
    const weights: MultiHeadWeights = { wq: randn([8, 8], 31), wk: randn([8, 8], 32), wv: randn([8, 8], 33), wo: randn([8, 8], 34) };
    const options = { heads: 2 };
    await e.matmul(x, weights.wq);
    expect(e.backend.kind).toBe('webgpu');
    const got = await e.multiHeadAttention(x, x, weights, options);
    const cpu = await multiHeadAttention(createCpuBackend('test'), x, x, weights, options);
    expectClose(got.output, cpu.output, 'multi-head output');
    expect(e.backend.kind).toBe('cpu');
  });
});
