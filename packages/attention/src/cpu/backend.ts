import { AttentionError } from '../errors';
import { flashAttentionCpu } from '../flash';
import type { Tensor } from '../tensor';
import type { AttentionOptions, AttentionResult, Backend, FlashOptions, SoftmaxOptions } from '../types';
import { DEFAULT_MEMORY_BUDGET_BYTES, validateAttention, validateMatmul, validateSoftmax } from '../validate';
import { attentionFast, matmulFast, softmaxFast } from './fast';

export interface CpuBackendOptions {
  /** Largest allocation one call may make, in bytes. Default 1 GiB. */
  memoryBudgetBytes?: number;
}

/**
 * The CPU backend: the fast path of fast.ts and the tiled pass of flash.ts.
 * It validates every input itself (cheap next to the work) although the
 * engine validates too, so it is safe to call directly and from a worker.
 * Calls are synchronous under the promise; in a browser, run it in a worker
 * (worker-backend.ts) so the page stays responsive.
 */
export function createCpuBackend(reason: string, options: CpuBackendOptions = {}): Backend {
  const budget = options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES;
  let disposed = false;
  const guard = (): void => {
    if (disposed) throw new AttentionError('BACKEND_FAILED', 'This CPU backend was disposed; create a new one.');
  };
  // async, so a refusal becomes a rejected promise rather than a synchronous throw.
  return {
    info: { kind: 'cpu', reason },
    async matmul(a: Tensor, b: Tensor, matmulOptions?: { transposeB?: boolean }): Promise<Tensor> {
      guard();
      const transposeB = matmulOptions?.transposeB ?? false;
      validateMatmul(a, b, transposeB, budget);
      return matmulFast(a, b, transposeB);
    },
    async softmax(x: Tensor, softmaxOptions?: SoftmaxOptions): Promise<Tensor> {
      guard();
      validateSoftmax(x, softmaxOptions, budget);
      return softmaxFast(x, softmaxOptions);
    },
    async attention(q: Tensor, k: Tensor, v: Tensor, attentionOptions?: AttentionOptions): Promise<AttentionResult> {
      guard();
      validateAttention(q, k, v, attentionOptions, budget);
      return attentionFast(q, k, v, attentionOptions);
    },
    async flashAttention(q: Tensor, k: Tensor, v: Tensor, flashOptions: FlashOptions): Promise<Tensor> {
      guard();
      return flashAttentionCpu(q, k, v, flashOptions, budget).output;
    },
    dispose(): void {
      disposed = true;
    },
  };
}
