// matmul-small.wgsl: C = A · B, or C = A · Bᵀ, one output per thread, for
// products too small to fill matmul.wgsl's 64 × 64 tiles (a decoding step's
// one row against W_Q, W_K and W_V; a small model's every product).
//
// Shapes and bindings as in matmul.wgsl (the host picks one or the other by
// size). Each thread walks k = 0 … K−1 with fma, the order and the rounding
// of matmul.wgsl's accumulators (its zero padding adds exactly nothing), so
// both kernels give the same bits for the same product.
//
// Work split: thread i owns C[i / N][i % N]; 64 threads to a workgroup, no
// shared memory and no barriers, which is what makes it cheap where a
// workgroup barrier is dear (a software adapter runs every thread of a
// workgroup in turn up to each barrier). Grids wider than 65535 workgroups
// spill into wid.y (gridIndex, grid.wgsl).

override TRANSPOSE_B: bool = false;

struct Dims {
  M: u32,
  N: u32,
  K: u32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let i = gridIndex(wid) * 64u + t;
  if (i >= dims.M * dims.N) {
    return;
  }
  let row = i / dims.N;
  let col = i % dims.N;
  var acc = 0.0;
  for (var k = 0u; k < dims.K; k++) {
    var b: f32;
    if (TRANSPOSE_B) {
      b = B[col * dims.K + k];
    } else {
      b = B[k * dims.N + col];
    }
    acc = fma(A[row * dims.K + k], b, acc);
  }
  C[i] = acc;
}
