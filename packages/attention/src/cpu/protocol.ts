import type { AttentionErrorCode } from '../errors';

/**
 * Messages between the main thread (worker-backend.ts) and the CPU worker
 * (worker.ts). Tensors travel as plain { data, shape } objects: structured
 * clone copies a Float32Array, and the worker transfers its results' buffers
 * back instead of copying them.
 */
export type WorkerOp = 'matmul' | 'softmax' | 'attention' | 'flashAttention';

export interface WorkerRequest {
  id: number;
  op: WorkerOp;
  /** The Backend method's arguments, in order. */
  args: unknown[];
}

export interface WorkerFailure {
  code: AttentionErrorCode;
  message: string;
  details: Record<string, unknown>;
}

export type WorkerResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: WorkerFailure };
