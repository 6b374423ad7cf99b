/**
 * The in-page benchmark's plan and arithmetic: which sizes it runs, how many
 * floating-point operations a pass counts, how many bytes the untiled pass
 * asks the engine for, and the results as JSON. Timing and attention happen
 * in the island, through the engine; nothing here computes attention.
 */

/** Width of each query, key and value: one head. */
export const WIDTH = 32;
/** The tiled pass's blocks, B_r × B_c: small enough for a WebGPU workgroup's shared memory at this width. */
export const BLOCKS = { blockRows: 16, blockCols: 16 } as const;
/** The sizes it tries, in order; the reader picks where to stop. */
export const SIZES = [128, 256, 512, 1024, 2048, 4096, 8192, 16384] as const;
/** Where the reader may stop. */
export const LIMITS = [256, 1024, 4096, 16384] as const;

/**
 * Floating-point operations of one attention pass over N queries and N keys,
 * d wide: Q·Kᵀ and A·V, N²·d multiply-adds each, two operations per
 * multiply-add. The softmax and the scaling (O(N²)) are not counted.
 */
export function passFlops(n: number, d: number = WIDTH): number {
  return 4 * n * n * d;
}

/** Bytes the untiled pass asks for: its output (N × d) and the N × N weights, in fp32 (the engine's own count). */
export function naiveBytes(n: number, d: number = WIDTH): number {
  return 4 * (n * d + n * n);
}

/** GFLOP/s of a pass of `flops` that took `ms` milliseconds. */
export function gflops(flops: number, ms: number): number {
  return flops / (ms * 1e6);
}

/** One size in the plan: what it costs, and whether the untiled pass fits the engine's budget. */
export interface Planned {
  n: number;
  flops: number;
  naiveBytes: number;
  naiveFits: boolean;
}

export function plan(budgetBytes: number, limit: number): Planned[] {
  return SIZES.filter((n) => n <= limit).map((n) => ({ n, flops: passFlops(n), naiveBytes: naiveBytes(n), naiveFits: naiveBytes(n) <= budgetBytes }));
}

/** One measured size. Times in milliseconds; null where the pass did not run. */
export interface Measured {
  n: number;
  naiveMs: number | null;
  naiveGflops: number | null;
  /** The engine's refusal of the untiled pass, word for word. */
  naiveRefused: string | null;
  flashMs: number;
  flashGflops: number;
  /** Largest |tiled − untiled| over the output; null when the untiled pass was refused. */
  difference: number | null;
  /** Where this size ran: the engine leaves WebGPU for the CPU, for good, if the device fails mid-run. */
  backend: 'webgpu' | 'cpu';
}

/** The results as the reader copies them. */
export function resultsJson(backend: string, rows: readonly Measured[]): string {
  return JSON.stringify(
    {
      backend,
      width: WIDTH,
      blocks: BLOCKS,
      flopsPerPass: '4·N²·d (Q·Kᵀ and A·V; softmax not counted)',
      timing: 'wall-clock milliseconds of one call, inputs in and output back included',
      results: rows,
    },
    null,
    2,
  );
}
