// copy.wgsl: copies a rows × width block of one matrix into another,
//   dst[dstOffset + r·dstStride + c] = src[srcOffset + r·srcStride + c],
// which is how a batch takes some columns of a matrix (one head's slice of
// the projections) and puts matrices side by side or one below another
// (the heads' outputs before W_O, cached keys and a new one). A kernel rather
// than copyBufferToBuffer, which would take one command per row.
//
// One thread per element, 64 to a workgroup; grids wider than 65535
// workgroups spill into wid.y (gridIndex, grid.wgsl).

struct Params {
  rows: u32,
  width: u32,
  srcStride: u32,
  srcOffset: u32,
  dstStride: u32,
  dstOffset: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let i = gridIndex(wid) * 64u + t;
  if (i >= params.rows * params.width) {
    return;
  }
  let r = i / params.width;
  let c = i % params.width;
  dst[params.dstOffset + r * params.dstStride + c] = src[params.srcOffset + r * params.srcStride + c];
}
