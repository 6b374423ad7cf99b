import { createCpuBackend } from './cpu/backend';
import { createWorkerCpuBackend, type WorkerLike } from './cpu/worker-backend';
import { runBatch, type Batch, type BatchResult } from './batch';
import { AttentionError } from './errors';
import { flashTraffic } from './flash';
import { multiHeadAttention } from './multihead';
import { checkFinite, type Tensor } from './tensor';
import type {
  AttentionOptions,
  AttentionResult,
  Backend,
  BackendInfo,
  FlashOptions,
  FlashResult,
  MultiHeadOptions,
  MultiHeadResult,
  MultiHeadWeights,
  SoftmaxOptions,
} from './types';
import {
  attentionBytes,
  checkMemoryBudget,
  DEFAULT_MEMORY_BUDGET_BYTES,
  validateAttention,
  validateAttentionShapes,
  validateFlashOptions,
  validateMask,
  validateMatmul,
  validateMultiHead,
  validateSoftmax,
} from './validate';
import { createWebGpuBackend, type WebGpuBackend, type WebGpuFaults } from './webgpu/backend';
import { isGpuFailure } from './webgpu/failure';

export type { WorkerLike } from './cpu/worker-backend';
export type { WebGpuFaults } from './webgpu/backend';

export interface EngineOptions {
  /**
   * 'auto' (default) and 'webgpu' both use WebGPU when it starts, software
   * adapters included (info.software says so), and the CPU otherwise; 'cpu'
   * never touches WebGPU.
   */
  prefer?: 'auto' | 'webgpu' | 'cpu';
  /** The WebGPU entry point. Default: navigator.gpu where it exists. */
  gpu?: GPU;
  /** Largest allocation one call may make, in bytes. Default 1 GiB. */
  memoryBudgetBytes?: number;
  /**
   * Makes the Web Worker the CPU backend runs in (a browser passes
   * `() => new Worker(new URL('…/cpu/worker.ts', import.meta.url), { type: 'module' })`).
   * Without it the CPU backend runs in-process.
   */
  makeWorker?: () => WorkerLike;
  /**
   * With a worker: ops of at most this many multiply-adds run on the calling
   * thread instead, with the same kernels (default INLINE_WORK; 0 sends
   * everything to the worker).
   */
  inlineWork?: number;
  /** Test-only: make the WebGPU backend fail for real (see WebGpuFaults). */
  faults?: WebGpuFaults;
}

/** The one place the guide computes attention. Every op validates its inputs first. */
export interface Engine {
  /** The backend in use now, and the adapter or the reason it is the CPU. */
  readonly backend: BackendInfo;
  matmul(a: Tensor, b: Tensor, options?: { transposeB?: boolean }): Promise<Tensor>;
  softmax(x: Tensor, options?: SoftmaxOptions): Promise<Tensor>;
  attention(q: Tensor, k: Tensor, v: Tensor, options?: AttentionOptions): Promise<AttentionResult>;
  /** The tiled pass: output from the active backend, memory traffic from the CPU model (flash.ts). */
  flashAttention(q: Tensor, k: Tensor, v: Tensor, options: FlashOptions): Promise<FlashResult>;
  multiHeadAttention(xq: Tensor, xkv: Tensor, weights: MultiHeadWeights, options: MultiHeadOptions): Promise<MultiHeadResult>;
  /**
   * Runs a batch of ops (batch.ts) and returns the values it reads: on WebGPU
   * in one submission with one readback, on the CPU op by op.
   */
  run(batch: Batch): Promise<BatchResult>;
  /** Frees the device, buffers and worker. Later calls reject with BACKEND_FAILED. */
  dispose(): void;
}

/** Reasons the engine gives for the CPU, besides the WebGPU failures' own messages. */
/**
 * The most multiply-adds a CPU op may take to run on the calling thread
 * rather than in the worker: about a millisecond of arithmetic on a slow
 * core (64 × 64 attention at d_k = 128 with its stages: 0.98 ms in Node on
 * a 2-core machine), against a round trip to the worker of several
 * milliseconds in Chromium there. That covers the trained models' every op
 * and the demos' matrices at their usual sizes; at 1 << 16, the √d_k demo's
 * two passes of 128 queries over 16 keys went to the worker from d_k = 32
 * up, and its slider took 15 ms (p50, bench:islands) where it now takes 8.5.
 * Its widest draws (d_k = 1,024: 2.1 million) still go to the worker.
 */
export const INLINE_WORK = 1 << 19;

export const FORCED_CPU_REASON = 'forced by the reader';

/**
 * Starts the engine: WebGPU when it can start, else the CPU with the reason.
 * Never rejects for want of WebGPU.
 */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  const budget = options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES;
  const makeCpu = (reason: string): Backend => {
    const direct = createCpuBackend(reason, { memoryBudgetBytes: budget });
    return options.makeWorker ? createWorkerCpuBackend(reason, options.makeWorker, { inline: direct, inlineWork: options.inlineWork ?? INLINE_WORK }) : direct;
  };
  if (options.prefer === 'cpu') return new AttentionEngine(makeCpu(FORCED_CPU_REASON), null, makeCpu, budget);

  const engine = { current: null as AttentionEngine | null, lostBeforeReady: null as string | null };
  let gpuBackend: WebGpuBackend;
  try {
    const gpu = options.gpu ?? (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
    gpuBackend = await createWebGpuBackend(gpu, {
      ...(options.faults ? { faults: options.faults } : {}),
      onLost: (reason) => {
        if (engine.current) engine.current.fallBack(reason);
        else engine.lostBeforeReady = reason;
      },
    });
  } catch (error) {
    return new AttentionEngine(makeCpu(reasonOf(error)), null, makeCpu, budget);
  }
  engine.current = new AttentionEngine(gpuBackend, gpuBackend, makeCpu, budget);
  if (engine.lostBeforeReady !== null) engine.current.fallBack(engine.lostBeforeReady);
  return engine.current;
}

class AttentionEngine implements Engine {
  #active: Backend;
  #gpu: WebGpuBackend | null;
  readonly #makeCpu: (reason: string) => Backend;
  readonly #budget: number;
  #disposed = false;
  /**
   * What multi-head attention calls: the active backend behind the same
   * fall-back-and-retry as the engine's own ops, so a device lost between two
   * heads costs nothing but the retry.
   */
  readonly #routed: Backend;

  constructor(active: Backend, gpu: WebGpuBackend | null, makeCpu: (reason: string) => Backend, budget: number) {
    this.#active = active;
    this.#gpu = gpu;
    this.#makeCpu = makeCpu;
    this.#budget = budget;
    const self = this;
    this.#routed = {
      get info() {
        return self.backend;
      },
      matmul: (a, b, o) => this.#call((backend) => backend.matmul(a, b, o)),
      softmax: (x, o) => this.#call((backend) => backend.softmax(x, o)),
      attention: (q, k, v, o) => this.#call((backend) => backend.attention(q, k, v, o)),
      flashAttention: (q, k, v, o) => this.#call((backend) => backend.flashAttention(q, k, v, o)),
      run: (batch) => this.#call((backend) => runBatch(backend, batch)),
      dispose: () => this.dispose(),
    };
  }

  get backend(): BackendInfo {
    return this.#active.info;
  }

  /**
   * Leaves WebGPU for good: records why, frees the device, and from now on
   * runs everything on the CPU. Only the first reason counts.
   */
  fallBack(reason: string): void {
    const gpu = this.#gpu;
    if (!gpu || this.#active !== gpu) return;
    this.#gpu = null;
    this.#active = this.#makeCpu(reason);
    gpu.dispose();
  }

  async matmul(a: Tensor, b: Tensor, options: { transposeB?: boolean } = {}): Promise<Tensor> {
    validateMatmul(a, b, options.transposeB ?? false, this.#budget);
    return this.#call((backend) => backend.matmul(a, b, options));
  }

  async softmax(x: Tensor, options: SoftmaxOptions = {}): Promise<Tensor> {
    validateSoftmax(x, options, this.#budget);
    return this.#call((backend) => backend.softmax(x, options));
  }

  async attention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): Promise<AttentionResult> {
    validateAttention(q, k, v, options, this.#budget);
    return this.#call((backend) => backend.attention(q, k, v, options));
  }

  async flashAttention(q: Tensor, k: Tensor, v: Tensor, options: FlashOptions): Promise<FlashResult> {
    this.#checkOpen();
    const { n, m } = validateAttentionShapes(q, k, v);
    validateFlashOptions(options);
    if (options.mask) validateMask(options.mask, n, m);
    checkFinite(q, 'Q');
    checkFinite(k, 'K');
    checkFinite(v, 'V');
    checkMemoryBudget(4 * (n * q.shape[1]! + m * (k.shape[1]! + v.shape[1]!) + n * v.shape[1]!), this.#budget, `The tiled pass over ${n} queries and ${m} keys`);
    // The backend computes the output (on WebGPU, or on the CPU: in its worker
    // when the pass is large, so the page never waits on it); the counts come
    // from the same block walk the CPU pass makes, without its arithmetic.
    const output = await this.#call((backend) => backend.flashAttention(q, k, v, options));
    return { output, ...flashTraffic(n, m, q.shape[1]!, v.shape[1]!, options) };
  }

  async multiHeadAttention(xq: Tensor, xkv: Tensor, weights: MultiHeadWeights, options: MultiHeadOptions): Promise<MultiHeadResult> {
    this.#checkOpen();
    const { n, m, dModel, heads, kvHeads, dk, dv } = validateMultiHead(xq, xkv, weights, options);
    // Projections, every head's attention with its weights kept, the concatenation and the output.
    const bytes = 4 * (n * heads * dk + 2 * m * kvHeads * Math.max(dk, dv) + n * heads * dv + n * dModel) + heads * attentionBytes(n, m, dv, true);
    checkMemoryBudget(bytes, this.#budget, `Multi-head attention with ${heads} heads over ${n} queries and ${m} keys`);
    return multiHeadAttention(this.#routed, xq, xkv, weights, options);
  }

  async run(batch: Batch): Promise<BatchResult> {
    this.#checkOpen();
    batch.check(this.#budget);
    return this.#call((backend) => runBatch(backend, batch));
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#active.dispose();
    if (this.#gpu && this.#gpu !== this.#active) this.#gpu.dispose();
    this.#gpu = null;
  }

  #checkOpen(): void {
    if (this.#disposed) throw new AttentionError('BACKEND_FAILED', 'This engine was disposed; create a new one.');
  }

  /**
   * Runs one op on the active backend. If WebGPU fails (device lost, a
   * rejected command, out of memory, a shader that does not compile), the
   * engine falls back to the CPU for good and runs the same op there, so the
   * caller still gets the answer. Refusals (AttentionErrors other than
   * BACKEND_FAILED, such as BLOCK_TOO_LARGE) are the caller's to handle.
   */
  async #call<T>(op: (backend: Backend) => Promise<T>): Promise<T> {
    this.#checkOpen();
    const backend = this.#active;
    try {
      return await op(backend);
    } catch (error) {
      // Only WebGPU failures are retried; the CPU's errors are the answer.
      // (The WebGPU backend may already be replaced if another call failed
      // first; this call still retries on the CPU.)
      if (backend.info.kind !== 'webgpu' || this.#disposed) throw error;
      if (error instanceof AttentionError && error.code !== 'BACKEND_FAILED') throw error;
      if (isGpuFailure(error) && error.failure === 'too-large') {
        // This problem exceeds a device limit; smaller ones still fit, so
        // only this call moves to the CPU.
        const cpu = this.#makeCpu(error.message);
        try {
          return await op(cpu);
        } finally {
          cpu.dispose();
        }
      }
      this.fallBack(reasonOf(error));
      return op(this.#active);
    }
  }
}

/** The reader-facing reason a WebGPU start or call failed. */
function reasonOf(error: unknown): string {
  if (error instanceof AttentionError) return error.message;
  return `the WebGPU backend failed: ${error instanceof Error ? error.message : String(error)}`;
}
