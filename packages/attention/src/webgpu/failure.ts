import { AttentionError } from '../errors';

/**
 * Why a WebGPU call or start-up failed. The engine reads `cause` to decide
 * what to do (fall back to the CPU for good, or run just this call there) and
 * shows `message` to the reader as the reason.
 */
export type GpuFailureCause =
  | 'no-webgpu'
  | 'no-adapter'
  | 'no-device'
  | 'device-lost'
  | 'compile'
  | 'validation'
  | 'out-of-memory'
  | 'internal'
  /** The problem exceeds a buffer or dispatch limit of this device; other problems may still fit. */
  | 'too-large';

/** An AttentionError('BACKEND_FAILED') that carries its cause. */
export class GpuFailure extends AttentionError {
  // Not `cause`: Error already has a `cause` with another meaning.
  readonly failure: GpuFailureCause;
  constructor(failure: GpuFailureCause, message: string) {
    super('BACKEND_FAILED', message, { failure });
    this.failure = failure;
  }
}

export function isGpuFailure(error: unknown): error is GpuFailure {
  return error instanceof GpuFailure;
}
