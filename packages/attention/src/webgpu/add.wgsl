// add.wgsl: C = A + B, element by element, for `count` elements. B holds
// `period` elements, repeated: `count` for two matrices of one shape, one
// row's worth for a bias added to every row.
// One thread per element, 64 to a workgroup; grids wider than 65535
// workgroups spill into wid.y (gridIndex, grid.wgsl).

struct Params {
  count: u32,
  period: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let i = gridIndex(wid) * 64u + t;
  if (i < params.count) {
    C[i] = A[i] + B[i % params.period];
  }
}
