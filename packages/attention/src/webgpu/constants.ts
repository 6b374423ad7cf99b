/**
 * WebGPU's numeric flags, spelled out. They are fixed by the specification;
 * using them instead of the GPUBufferUsage / GPUMapMode / GPUShaderStage
 * globals keeps the backend working where those globals are absent (Dawn's
 * Node bindings only install them through `Object.assign(globalThis, globals)`).
 */
export const BufferUsage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

export const MAP_MODE_READ = 0x0001;
export const SHADER_STAGE_COMPUTE = 0x4;

/**
 * Workgroups per grid dimension that every device allows
 * (maxComputeWorkgroupsPerDimension is at least 65535). Row-per-workgroup
 * kernels fold longer row counts into a second dimension; kernels.ts hands
 * this number to the WGSL with grid.wgsl, which unfolds them.
 */
export const ROWS_PER_DIM = 65535;

/**
 * The lowest finite f32. WGSL may assume there are no infinities, so −∞ (a
 * masked score) crosses into and out of shaders as this value; mask.wgsl and
 * softmax.wgsl name it NEG_MAX.
 */
export const NEG_MAX = -3.4028234663852886e38;
