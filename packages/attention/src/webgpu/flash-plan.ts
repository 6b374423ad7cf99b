import { AttentionError } from '../errors';

/** The device limits a flash pipeline must fit. */
export interface FlashLimits {
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupSizeX: number;
}

/** The pipeline constants of flash.wgsl for one problem, and what they cost. */
export interface FlashPlan {
  BR: number;
  BC: number;
  DK: number;
  DV: number;
  /** Helper threads per query row. */
  TPR: number;
  /** Threads per workgroup, BR · TPR. */
  WG_SIZE: number;
  /** Shared memory the kernel declares, in bytes. */
  sharedBytes: number;
}

/**
 * Shared memory flash.wgsl declares for these sizes, in f32 words: the Q, K,
 * V, score and output tiles plus three per-row statistics (max, sum, rescale).
 * Keep in step with the `var<workgroup>` declarations in flash.wgsl.
 */
export function flashSharedWords(br: number, bc: number, dk: number, dv: number): number {
  return br * dk + bc * dk + bc * dv + br * bc + br * dv + 3 * br;
}

/**
 * Checks blocks against the device before anything is allocated or compiled,
 * and picks the thread count. Throws BLOCK_TOO_LARGE with the numbers a reader
 * needs to pick smaller blocks.
 */
export function planFlash(br: number, bc: number, dk: number, dv: number, limits: FlashLimits): FlashPlan {
  const maxThreads = Math.min(limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX);
  if (br > maxThreads) {
    throw new AttentionError(
      'BLOCK_TOO_LARGE',
      `B_r = ${br} query rows need at least one thread each, and this device runs at most ${maxThreads} threads per workgroup.`,
      { blockRows: br, maxThreads },
    );
  }
  const sharedBytes = 4 * flashSharedWords(br, bc, dk, dv);
  if (sharedBytes > limits.maxComputeWorkgroupStorageSize) {
    throw new AttentionError(
      'BLOCK_TOO_LARGE',
      `Blocks of B_r = ${br} by B_c = ${bc} with d_k = ${dk}, d_v = ${dv} need ${sharedBytes} bytes of on-chip memory; this device offers ${limits.maxComputeWorkgroupStorageSize} per workgroup.`,
      { blockRows: br, blockCols: bc, sharedBytes, limit: limits.maxComputeWorkgroupStorageSize },
    );
  }
  // As many helpers per row as there are key columns, but no more than fit.
  const tpr = Math.max(1, Math.min(bc, Math.floor(maxThreads / br)));
  return { BR: br, BC: bc, DK: dk, DV: dv, TPR: tpr, WG_SIZE: br * tpr, sharedBytes };
}
