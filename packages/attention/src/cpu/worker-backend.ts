import { AttentionError } from '../errors';
import type { Tensor } from '../tensor';
import type { AttentionOptions, AttentionResult, Backend, FlashOptions, SoftmaxOptions } from '../types';
import type { WorkerOp, WorkerRequest, WorkerResponse } from './protocol';

/** The part of a Web Worker the proxy uses; a real `Worker` fits, and so does a test double. */
export interface WorkerLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  addEventListener(type: 'error', listener: (event: { readonly message?: string }) => void): void;
  terminate(): void;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: AttentionError) => void;
}

/**
 * A Backend whose work runs in a worker (worker.ts), so the page never
 * freezes. Each call posts { id, op, args } and waits for the answer with that
 * id; refusals come back as AttentionError with their original code. The
 * worker is started on the first call; if it crashes, the calls in flight
 * fail with BACKEND_FAILED and the next call starts a fresh one.
 */
export interface WorkerCpuOptions {
  /**
   * Ops of at most this many multiply-adds run at once on the calling thread,
   * through `inline` (the same CPU kernels the worker runs, so the same
   * numbers): for work this small, the round trip to the worker costs far
   * more than the arithmetic, and the page cannot freeze. Default 0: all in the worker.
   */
  inlineWork?: number;
  inline?: Backend;
}

/** Multiply-adds of an op, as the inline limit counts them. */
function work(op: 'matmul' | 'softmax' | 'attention', shapes: Array<readonly number[]>, transposeB = false): number {
  const dim = (i: number, j: number): number => shapes[i]?.[j] ?? 1;
  if (op === 'softmax') return dim(0, 0) * dim(0, 1);
  if (op === 'matmul') return dim(0, 0) * dim(0, 1) * (transposeB ? dim(1, 0) : dim(1, 1));
  // Attention: the scores (n × m × d_k) and the weighted sum (n × m × d_v).
  return dim(0, 0) * dim(1, 0) * (dim(0, 1) + dim(2, 1));
}

export function createWorkerCpuBackend(reason: string, makeWorker: () => WorkerLike, options: WorkerCpuOptions = {}): Backend {
  const limit = options.inline ? (options.inlineWork ?? 0) : 0;
  const inline = options.inline;
  const small = (op: 'matmul' | 'softmax' | 'attention', shapes: Array<readonly number[]>, transposeB?: boolean): boolean =>
    inline !== undefined && !disposed && work(op, shapes, transposeB) <= limit;
  let worker: WorkerLike | undefined;
  let nextId = 0;
  let disposed = false;
  const pending = new Map<number, Pending>();

  const failAll = (error: AttentionError): void => {
    for (const entry of pending.values()) entry.reject(error);
    pending.clear();
  };

  const start = (): WorkerLike => {
    const created = makeWorker();
    created.addEventListener('message', (event) => {
      const response = event.data as WorkerResponse;
      const entry = pending.get(response.id);
      if (!entry) return;
      pending.delete(response.id);
      if (response.ok) entry.resolve(response.result);
      else entry.reject(new AttentionError(response.error.code, response.error.message, response.error.details));
    });
    created.addEventListener('error', (event) => {
      if (worker === created) worker = undefined;
      created.terminate();
      failAll(new AttentionError('BACKEND_FAILED', `The CPU worker stopped: ${event.message ?? 'unknown error'}.`));
    });
    return created;
  };

  const call = (op: WorkerOp, args: unknown[]): Promise<unknown> => {
    if (disposed) return Promise.reject(new AttentionError('BACKEND_FAILED', 'This CPU backend was disposed; create a new one.'));
    const id = nextId++;
    const request: WorkerRequest = { id, op, args };
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      try {
        (worker ??= start()).postMessage(request);
      } catch (error) {
        pending.delete(id);
        reject(new AttentionError('BACKEND_FAILED', `Could not send work to the CPU worker: ${error instanceof Error ? error.message : String(error)}`));
      }
    });
  };

  return {
    info: { kind: 'cpu', reason },
    async matmul(a: Tensor, b: Tensor, options?: { transposeB?: boolean }): Promise<Tensor> {
      if (small('matmul', [a.shape, b.shape], options?.transposeB)) return inline!.matmul(a, b, options);
      return (await call('matmul', [pack(a), pack(b), options])) as Tensor;
    },
    async softmax(x: Tensor, options?: SoftmaxOptions): Promise<Tensor> {
      if (small('softmax', [x.shape])) return inline!.softmax(x, options);
      return (await call('softmax', [pack(x), options])) as Tensor;
    },
    async attention(q: Tensor, k: Tensor, v: Tensor, options?: AttentionOptions): Promise<AttentionResult> {
      if (small('attention', [q.shape, k.shape, v.shape])) return inline!.attention(q, k, v, options);
      return (await call('attention', [pack(q), pack(k), pack(v), options])) as AttentionResult;
    },
    async flashAttention(q: Tensor, k: Tensor, v: Tensor, options: FlashOptions): Promise<Tensor> {
      // The tiled pass does the same multiply-adds as the untiled one.
      if (small('attention', [q.shape, k.shape, v.shape])) return inline!.flashAttention(q, k, v, options);
      return (await call('flashAttention', [pack(q), pack(k), pack(v), options])) as Tensor;
    },
    dispose(): void {
      disposed = true;
      worker?.terminate();
      worker = undefined;
      failAll(new AttentionError('BACKEND_FAILED', 'The CPU backend was disposed while this call was running.'));
    },
  };
}

/**
 * Structured clone copies a typed array's whole underlying buffer, so a small
 * view into a large buffer is copied down to its own elements first.
 */
function pack(t: Tensor): Tensor {
  const { data } = t;
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  return { data: whole ? data : data.slice(), shape: [...t.shape] };
}
