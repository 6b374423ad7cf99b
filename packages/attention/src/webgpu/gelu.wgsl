// gelu.wgsl: Y = GELU(X) element by element, in the tanh form of GPT-2,
//   0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
// One thread per element, 64 to a workgroup; grids wider than 65535
// workgroups spill into wid.y (gridIndex, grid.wgsl).

const GELU_C: f32 = 0.7978845608028654;

struct Params {
  count: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let i = gridIndex(wid) * 64u + t;
  if (i < params.count) {
    let x = X[i];
    Y[i] = 0.5 * x * (1.0 + tanh(GELU_C * (x + 0.044715 * x * x * x)));
  }
}
