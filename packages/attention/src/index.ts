/**
 * The guide's attention engine. Islands call createEngine() and ask it for
 * the backend ops; the CPU simulations that need no backend (ringAttention,
 * pca3, decodeWithCache, KVCache) are plain functions, imported where used so
 * a page that does not draw them does not load them; the rest is exported for
 * tests, benchmarks and figures that need the pieces.
 */

// Contract
export type {
  AttentionOptions,
  AttentionResult,
  AttentionStages,
  Backend,
  BackendInfo,
  FlashOptions,
  FlashResult,
  MaskSpec,
  MultiHeadOptions,
  MultiHeadResult,
  MultiHeadWeights,
  SoftmaxOptions,
  Traffic,
} from './types';
export { checkFinite, checkShape, concatMatrices, dims2, randn, rng, sizeOf, tensor, zeros, type Tensor } from './tensor';
export { AttentionError, type AttentionErrorCode } from './errors';

// The engine: WebGPU when usable, else the CPU, and says which.
export { createEngine, FORCED_CPU_REASON, INLINE_WORK, type Engine, type EngineOptions } from './engine';

// Several ops in one go (one submission on WebGPU)
export { Batch, splitStages, type BatchResult, type BatchValue } from './batch';

// Masks and input checks
export { isContiguous, maskAllows, maskedFraction, maskMatrix, rowRange } from './masks';
export { DEFAULT_MEMORY_BUDGET_BYTES } from './validate';
export { formatBytes } from './format';

// CPU computations and simulations
export { attentionReference, matmulReference, softmaxReference } from './cpu/reference';
export { attentionFast, matmulFast, softmaxFast } from './cpu/fast';
export { algorithm1BlockSizes, flashAttentionCpu, flashSteps, flashTraffic, flashTrafficBound, standardTraffic, type FlashBlock, type FlashStep } from './flash';
export { multiHeadAttention } from './multihead';
export { ringAttention, splitBlocks, type RingOptions, type RingResult, type RingSend, type RingStep } from './ring';
export { decodeWithCache, KVCache } from './kvcache';
export { pca3, type Pca3Result } from './pca';
export { rowStats, spread, weightStats, type RowStats } from './stats';

// Backends, for callers that want one directly
export { createCpuBackend, type CpuBackendOptions } from './cpu/backend';
export { createWorkerCpuBackend, type WorkerLike } from './cpu/worker-backend';
export { createWebGpuBackend, type WebGpuBackend, type WebGpuBackendOptions, type WebGpuFaults, type WebGpuStats } from './webgpu/backend';
