/**
 * Every refusal of the engine is an AttentionError with a code a caller can
 * branch on and a message a reader can act on. Inputs are checked before any
 * allocation, so a refused call costs nothing and leaves nothing behind.
 */
export type AttentionErrorCode =
  | 'SHAPE_MISMATCH'
  | 'INVALID_SIZE'
  | 'NON_FINITE'
  | 'HEADS_NOT_DIVISIBLE'
  | 'INVALID_MASK'
  | 'BLOCK_TOO_LARGE'
  | 'MEMORY_BUDGET'
  | 'BACKEND_FAILED';

export class AttentionError extends Error {
  override readonly name = 'AttentionError';
  constructor(
    readonly code: AttentionErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
