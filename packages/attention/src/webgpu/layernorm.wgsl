// layernorm.wgsl: each row of a rows × cols matrix normalised to mean 0 and
// variance 1, then scaled and shifted per column,
//   y[r][c] = (x[r][c] − mean_r) / sqrt(var_r + epsilon) · gain[c] + bias[c],
// with the variance taken about the mean (two passes, not E[x²] − mean², which
// cancels badly when the mean is large next to the spread).
//
// Work split: one workgroup per row, WG = 64 threads; thread t handles columns
// t, t + 64, …; the two sums are tree reductions in shared memory
// (row-reduce.wgsl, prepended by the host). Rows beyond 65535 spill into
// wid.y (gridIndex, grid.wgsl).

struct Params {
  rows: u32,
  cols: u32,
  epsilon: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> gain: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let row = gridIndex(wid);
  // Uniform per workgroup, so returning here keeps the barriers uniform.
  if (row >= params.rows) {
    return;
  }
  let base = row * params.cols;
  let count = f32(params.cols);

  var s = 0.0;
  for (var c = t; c < params.cols; c += WG) {
    s += X[base + c];
  }
  let mean = workgroupSum(t, s) / count;

  var v = 0.0;
  for (var c = t; c < params.cols; c += WG) {
    let d = X[base + c] - mean;
    v += d * d;
  }
  let r = 1.0 / sqrt(workgroupSum(t, v) / count + params.epsilon);

  for (var c = t; c < params.cols; c += WG) {
    Y[base + c] = (X[base + c] - mean) * r * gain[c] + bias[c];
  }
}
