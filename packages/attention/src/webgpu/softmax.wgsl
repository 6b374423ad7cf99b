// softmax.wgsl: row-wise, numerically stable softmax of a rows × cols matrix,
//   y[r][c] = exp(f·x[r][c] − max_c f·x[r][c]) / Σ_c exp(f·x[r][c] − max),
// with f = scale / temperature.
//
// Work split
//   One workgroup per row; WG = 64 threads. Thread t handles columns
//   t, t + 64, t + 128, … so global reads stay contiguous across threads.
//   Three sweeps over the row:
//     1. each thread takes the max of its columns; a tree reduction in
//        shared memory (6 halving steps for 64 threads) gives the row max;
//     2. each thread sums exp(f·x − max) over its columns; the same tree
//        gives the row sum;
//     3. each thread writes its columns divided by the sum.
//   Subtracting the max first keeps every exponent ≤ 0, so logits of ±1e4
//   (exp(1e4) overflows f32) are safe.
//
// Masked entries
//   WGSL may assume there are no infinities, so −∞ never enters the shader:
//   the host uploads −∞ as NEG_MAX (−3.4028235e38, the lowest f32) and this
//   kernel treats any x ≤ NEG_MAX as masked: weight exactly 0. A row with
//   every entry masked has no max, and is written as all zeros.
//
// Shared memory: red (row-reduce.wgsl), 64 f32 = 256 bytes.
//
// Rows beyond 65535 (the guaranteed maxComputeWorkgroupsPerDimension) are
// dispatched as a 2-D grid: row = gridIndex(wid) (grid.wgsl).

// WG (64 threads), red and the reductions come from row-reduce.wgsl.
const NEG_MAX: f32 = -3.40282346638528859812e+38f;

struct Params {
  rows: u32,
  cols: u32,
  factor: f32, // scale / temperature
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let row = gridIndex(wid);
  // Uniform per workgroup, so returning here keeps barriers uniform.
  if (row >= params.rows) {
    return;
  }
  let base = row * params.cols;

  // 1. Row max over unmasked entries (NEG_MAX when there are none).
  var m = NEG_MAX;
  for (var c = t; c < params.cols; c += WG) {
    let x = X[base + c];
    if (x > NEG_MAX) {
      m = max(m, x * params.factor);
    }
  }
  let rowMax = workgroupMax(t, m);
  let anyAllowed = rowMax > NEG_MAX;

  // 2. Sum of exponentials.
  var s = 0.0;
  if (anyAllowed) {
    for (var c = t; c < params.cols; c += WG) {
      let x = X[base + c];
      if (x > NEG_MAX) {
        s += exp(x * params.factor - rowMax);
      }
    }
  }
  let total = workgroupSum(t, s);

  // 3. Normalise. total ≥ 1 whenever anyAllowed (the max term is exp(0)).
  for (var c = t; c < params.cols; c += WG) {
    let x = X[base + c];
    var y = 0.0;
    if (anyAllowed && x > NEG_MAX) {
      y = exp(x * params.factor - rowMax) / total;
    }
    Y[base + c] = y;
  }
}
