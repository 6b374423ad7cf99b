// grid.wgsl: prepended by the host (kernels.ts) to every kernel whose grid
// may outgrow one dimension, after a line that declares ROWS_PER_DIM from
// constants.ts, so the number is written once. dispatch.ts's rowGrid folds
// more than ROWS_PER_DIM workgroups into wid.y; gridIndex unfolds them into
// the workgroup's index in the whole grid.

fn gridIndex(wid: vec3<u32>) -> u32 {
  return wid.x + wid.y * ROWS_PER_DIM;
}
