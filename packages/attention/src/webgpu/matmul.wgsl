// matmul.wgsl: C = A · B, or C = A · Bᵀ, for any M, N, K.
//
// Shapes (row-major f32):
//   A is M × K.  B is K × N, or N × K when TRANSPOSE_B is true.  C is M × N.
//
// Work split
//   A workgroup is 16 × 16 = 256 threads and owns one 64 × 64 tile of C.
//   Each thread owns a 4 × 4 block of that tile and keeps its 16 partial sums
//   in registers ("register blocking"): every value a thread reads from shared
//   memory is used 4 times, not once, which is what makes this faster than a
//   one-output-per-thread tiled kernel on every GPU we have measured.
//   The K dimension is walked in steps of TILE_K = 16. Per step the 256
//   threads cooperatively copy a 64 × 16 slab of A and a 16 × 64 slab of B
//   into shared memory: 1024 values each, so exactly 4 loads per thread per
//   slab, then every thread does 16 × 4 × 4 multiply-adds from shared memory.
//
// Shared memory
//   tileA: 64 × 16 f32 = 4 KiB, tileB: 16 × 64 f32 = 4 KiB, 8 KiB in all:
//   half of the 16 KiB that every WebGPU device must offer
//   (maxComputeWorkgroupStorageSize), so this kernel needs no limit check.
//   256 invocations is also the guaranteed minimum of
//   maxComputeInvocationsPerWorkgroup.
//
// Edges
//   Loads outside A or B read 0, so partial tiles (M, N or K not multiples of
//   64 / 16) add nothing; stores outside C are skipped.

// Set per pipeline: false for A · B, true for A · Bᵀ (B stored N × K). A
// pipeline constant, not a uniform, so each variant compiles its own
// branch-free load.
override TRANSPOSE_B: bool = false;

// Threads per workgroup side (16 × 16 = 256 threads).
const WG: u32 = 16u;
// Outputs per thread per side (4 × 4 = 16 accumulators in registers).
const TM: u32 = 4u;
// Tile of C per workgroup side: WG * TM = 64.
const TILE: u32 = 64u;
// Depth of each K step; 64 × 16 values = 4 loads per thread per tile.
const TILE_K: u32 = 16u;

struct Dims {
  M: u32,
  N: u32,
  K: u32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

var<workgroup> tileA: array<f32, 1024>; // TILE × TILE_K, row-major [row][k]
var<workgroup> tileB: array<f32, 1024>; // TILE_K × TILE, row-major [k][col]

fn loadA(row: u32, k: u32) -> f32 {
  if (row < dims.M && k < dims.K) {
    return A[row * dims.K + k];
  }
  return 0.0;
}

// B as a K × N matrix, whichever way it is stored.
fn loadB(k: u32, col: u32) -> f32 {
  if (k < dims.K && col < dims.N) {
    if (TRANSPOSE_B) {
      return B[col * dims.K + k];
    }
    return B[k * dims.N + col];
  }
  return 0.0;
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let rowBase = wid.y * TILE; // first row of C in this workgroup's tile
  let colBase = wid.x * TILE; // first column
  let flat = lid.y * WG + lid.x; // 0..255

  var acc: array<f32, 16>; // acc[r * TM + c] is C[rowBase + lid.y*TM + r][colBase + lid.x*TM + c]
  for (var i = 0u; i < 16u; i++) {
    acc[i] = 0.0;
  }

  let steps = (dims.K + TILE_K - 1u) / TILE_K;
  for (var s = 0u; s < steps; s++) {
    let k0 = s * TILE_K;
    // 1024 values per slab, 256 threads: 4 each. Consecutive threads take
    // consecutive elements so global reads of A (and of B when not
    // transposed) are contiguous.
    for (var l = 0u; l < 4u; l++) {
      let e = flat + l * 256u;
      let ar = e / TILE_K;
      let ak = e % TILE_K;
      tileA[e] = loadA(rowBase + ar, k0 + ak);
      let bk = e / TILE;
      let bc = e % TILE;
      tileB[e] = loadB(k0 + bk, colBase + bc);
    }
    workgroupBarrier();

    for (var k = 0u; k < TILE_K; k++) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var r = 0u; r < TM; r++) {
        a[r] = tileA[(lid.y * TM + r) * TILE_K + k];
        b[r] = tileB[k * TILE + lid.x * TM + r];
      }
      for (var r = 0u; r < TM; r++) {
        for (var c = 0u; c < TM; c++) {
          acc[r * TM + c] = fma(a[r], b[c], acc[r * TM + c]);
        }
      }
    }
    // Nobody may overwrite the slabs while another thread still reads them.
    workgroupBarrier();
  }

  for (var r = 0u; r < TM; r++) {
    let row = rowBase + lid.y * TM + r;
    for (var c = 0u; c < TM; c++) {
      let col = colBase + lid.x * TM + c;
      if (row < dims.M && col < dims.N) {
        C[row * dims.N + col] = acc[r * TM + c];
      }
    }
  }
}
