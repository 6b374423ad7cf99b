import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../src/cpu/backend';
import { createWorkerCpuBackend } from '../src/cpu/worker-backend';
import type { WorkerLike } from '../src/cpu/worker-backend';
import { handleMessage } from '../src/cpu/worker';
import type { WorkerRequest } from '../src/cpu/protocol';
import { randn } from '../src/tensor';
import type { Backend } from '../src/types';
import { qkv } from './helpers';

/** A real browser Worker fits WorkerLike (checked by the type checker, not at run time). */
export const workerFits = (worker: Worker): WorkerLike => worker;

/**
 * A worker double: the two ends of a MessageChannel, the far one answering
 * with worker.ts's handler. Messages are structured-cloned and buffers
 * transferred exactly as between a page and a worker.
 */
function channelWorker(backend?: Backend): WorkerLike & { crash(message: string): void; terminated: boolean } {
  const { port1, port2 } = new MessageChannel();
  port2.on('message', (request: WorkerRequest) => {
    void handleMessage(request, (message, transfer) => port2.postMessage(message, transfer), backend);
  });
  const errorListeners: Array<(event: { message?: string }) => void> = [];
  const double = {
    terminated: false,
    postMessage: (message: unknown) => port1.postMessage(message),
    addEventListener(type: 'message' | 'error', listener: (event: never) => void): void {
      if (type === 'message') port1.on('message', (data: unknown) => (listener as (event: { data: unknown }) => void)({ data }));
      else errorListeners.push(listener as (event: { message?: string }) => void);
    },
    terminate(): void {
      double.terminated = true;
      port1.close();
      port2.close();
    },
    crash(message: string): void {
      for (const listener of errorListeners) listener({ message });
    },
  };
  opened.push(double);
  return double;
}
const opened: WorkerLike[] = [];
afterEach(() => {
  for (const worker of opened.splice(0)) worker.terminate();
});

describe('the CPU backend in a worker', () => {
  it('returns the same numbers as the direct backend', async () => {
    const direct = createCpuBackend('direct');
    const proxied = createWorkerCpuBackend('in a worker', () => channelWorker());
    expect(proxied.info).toEqual({ kind: 'cpu', reason: 'in a worker' });
    const [q, k, v] = qkv(13, 9, 4, 3, 2);
    const mask = { kind: 'causal' } as const;

    const [a, b] = await Promise.all([proxied.attention(q, k, v, { mask, stages: true }), direct.attention(q, k, v, { mask, stages: true })]);
    expect(a.output.data).toEqual(b.output.data);
    expect(a.output.shape).toEqual([13, 3]);
    expect(a.stages!.weights.data).toEqual(b.stages!.weights.data);
    expect(a.stages!.masked.data).toEqual(b.stages!.masked.data);
    expect((await proxied.matmul(q, k, { transposeB: true })).data).toEqual((await direct.matmul(q, k, { transposeB: true })).data);
    expect((await proxied.softmax(q, { temperature: 2 })).data).toEqual((await direct.softmax(q, { temperature: 2 })).data);
    const flash = { blockRows: 4, blockCols: 5, mask } as const;
    expect((await proxied.flashAttention(q, k, v, flash)).data).toEqual((await direct.flashAttention(q, k, v, flash)).data);
    proxied.dispose();
  });

  it('sends only a view\'s own elements and leaves the caller\'s buffers usable', async () => {
    const proxied = createWorkerCpuBackend('test', () => channelWorker());
    const big = randn([100, 4], 1);
    const view = { data: big.data.subarray(8, 16), shape: [2, 4] };
    const result = await proxied.matmul(view, view, { transposeB: true });
    expect(result.shape).toEqual([2, 2]);
    expect(big.data.length).toBe(400); // not detached
    proxied.dispose();
  });

  it('relays refusals as AttentionError with their code and message', async () => {
    const proxied = createWorkerCpuBackend('test', () => channelWorker());
    const [q, k] = qkv(4, 5, 3, 2, 1);
    const v6 = randn([6, 2], 3);
    await expect(proxied.attention(q, k, v6)).rejects.toMatchObject({
      name: 'AttentionError',
      code: 'SHAPE_MISMATCH',
      message: 'K has 5 rows but V has 6: keys and values come in pairs, one per token.',
      details: { kRows: 5, vRows: 6 },
    });
    await expect(proxied.flashAttention(q, k, randn([5, 2], 4), { blockRows: 0, blockCols: 2 })).rejects.toMatchObject({ code: 'INVALID_SIZE' });
    proxied.dispose();
  });

  it('turns an unexpected failure in the worker into BACKEND_FAILED', async () => {
    const broken: Backend = { ...createCpuBackend('test'), matmul: () => Promise.reject(new TypeError('boom')) };
    const proxied = createWorkerCpuBackend('test', () => channelWorker(broken));
    const x = randn([2, 2], 1);
    await expect(proxied.matmul(x, x)).rejects.toMatchObject({ code: 'BACKEND_FAILED', message: 'The CPU worker failed: boom' });
  });

  it('fails the calls in flight when the worker crashes, then starts a fresh one', async () => {
    const workers: Array<ReturnType<typeof channelWorker>> = [];
    const slow: Backend = { ...createCpuBackend('test'), matmul: () => new Promise(() => {}) };
    const proxied = createWorkerCpuBackend('test', () => {
      const worker = channelWorker(workers.length === 0 ? slow : undefined);
      workers.push(worker);
      return worker;
    });
    const x = randn([2, 2], 1);
    const inFlight = proxied.matmul(x, x);
    await new Promise((resolve) => setTimeout(resolve, 10));
    workers[0]!.crash('out of memory');
    await expect(inFlight).rejects.toMatchObject({ code: 'BACKEND_FAILED', message: 'The CPU worker stopped: out of memory.' });
    expect(workers[0]!.terminated).toBe(true);
    expect((await proxied.matmul(x, x)).shape).toEqual([2, 2]);
    expect(workers).toHaveLength(2);
    proxied.dispose();
    await expect(proxied.matmul(x, x)).rejects.toMatchObject({ code: 'BACKEND_FAILED' });
  });

  it('runs ops up to the inline limit on the calling thread, with the same numbers, and larger ones in the worker', async () => {
    const sent: string[] = [];
    const direct = createCpuBackend('direct');
    const proxied = createWorkerCpuBackend(
      'test',
      () => {
        const worker = channelWorker();
        const post = worker.postMessage;
        worker.postMessage = (message: unknown) => {
          sent.push((message as WorkerRequest).op);
          post(message);
        };
        return worker;
      },
      { inline: direct, inlineWork: 1000 },
    );
    // 12 queries and keys, d_k = d_v = 4: 12 · 12 · 8 = 1,152 multiply-adds, over the limit.
    const [q, k, v] = qkv(12, 12, 4, 4, 5);
    const large = await proxied.attention(q, k, v, { stages: true });
    expect(sent).toEqual(['attention']);
    // One query row of it: 12 · 8 = 96, under the limit.
    const row = { data: q.data.slice(0, 4), shape: [1, 4] };
    const small = await proxied.attention(row, k, v, { stages: true });
    expect((await proxied.matmul(row, k, { transposeB: true })).data).toEqual((await direct.matmul(row, k, { transposeB: true })).data);
    expect(sent).toEqual(['attention']);
    // The same kernels: the small row is the large result's first row, bit for bit.
    expect(small.stages!.weights.data).toEqual(large.stages!.weights.data.slice(0, 12));
    expect(small.output.data).toEqual(large.output.data.slice(0, 4));
    // A matmul over the limit goes to the worker.
    await proxied.matmul(randn([40, 40], 1), randn([40, 40], 2));
    expect(sent).toEqual(['attention', 'matmul']);
    proxied.dispose();
  });
});
