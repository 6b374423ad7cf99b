import { AttentionError } from '../errors';
import type { Tensor } from '../tensor';
import type { AttentionOptions, Backend, FlashOptions, SoftmaxOptions } from '../types';
import { createCpuBackend } from './backend';
import type { WorkerRequest, WorkerResponse } from './protocol';

/**
 * The CPU backend's Web Worker: answers each request { id, op, args } by
 * calling the CPU backend and posting { id, ok, result | error } back, with
 * the result's buffers transferred (moved, not copied). Create it with
 * `new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' })`.
 * The module is importable anywhere (Node tests use handleMessage directly);
 * it registers itself only inside a worker.
 */

export type Post = (message: WorkerResponse, transfer: ArrayBuffer[]) => void;

let defaultBackend: Backend | undefined;

/** Runs one request on `backend` (by default a CPU backend made on first use) and posts the answer. */
export async function handleMessage(request: WorkerRequest, post: Post, backend?: Backend): Promise<void> {
  const id = request.id;
  try {
    const target = backend ?? (defaultBackend ??= createCpuBackend('running in a Web Worker'));
    const result = await dispatch(target, request);
    post({ id, ok: true, result }, transferables(result));
  } catch (error) {
    const failure =
      error instanceof AttentionError
        ? { code: error.code, message: error.message, details: error.details }
        : { code: 'BACKEND_FAILED' as const, message: `The CPU worker failed: ${error instanceof Error ? error.message : String(error)}`, details: {} };
    post({ id, ok: false, error: failure }, []);
  }
}

function dispatch(backend: Backend, { op, args }: WorkerRequest): Promise<unknown> {
  // The arguments come from worker-backend.ts, which mirrors the Backend
  // methods; the backend validates the values themselves.
  switch (op) {
    case 'matmul':
      return backend.matmul(args[0] as Tensor, args[1] as Tensor, args[2] as { transposeB?: boolean } | undefined);
    case 'softmax':
      return backend.softmax(args[0] as Tensor, args[1] as SoftmaxOptions | undefined);
    case 'attention':
      return backend.attention(args[0] as Tensor, args[1] as Tensor, args[2] as Tensor, args[3] as AttentionOptions | undefined);
    case 'flashAttention':
      return backend.flashAttention(args[0] as Tensor, args[1] as Tensor, args[2] as Tensor, args[3] as FlashOptions);
    default:
      throw new AttentionError('BACKEND_FAILED', `The CPU worker got an unknown operation ${JSON.stringify(op)}.`, { op });
  }
}

/** Every distinct ArrayBuffer under a result (listing one twice makes postMessage throw). */
function transferables(value: unknown, found = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) found.add(value.buffer);
  } else if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) transferables(child, found);
  }
  return [...found];
}

interface WorkerScope {
  WorkerGlobalScope?: abstract new () => unknown;
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { data: WorkerRequest }) => void): void;
}

// Register only inside a worker: `self` also exists on a page (self === window,
// which has its own postMessage), so test for the worker's global scope itself.
const scope = globalThis as unknown as WorkerScope;
if (typeof scope.WorkerGlobalScope === 'function' && globalThis instanceof scope.WorkerGlobalScope && 'postMessage' in scope) {
  scope.addEventListener('message', (event) => {
    void handleMessage(event.data, (message, transfer) => scope.postMessage(message, transfer));
  });
}
