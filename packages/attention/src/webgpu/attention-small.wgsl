// attention-small.wgsl: the same attention as attention.wgsl, with one
// thread per query row instead of a 64-thread workgroup, for problems too
// small to fill those workgroups (a decoding step's one query; a short
// sentence's dozen). Bindings, pipeline constant and outputs are those of
// attention.wgsl, so the host picks either by size alone.
//
// Same bits. attention.wgsl's thread t scores keys t, t + 64, … and sums
// their exponentials in that order, then the 64 partial sums are added by a
// tree (row-reduce.wgsl). This thread keeps the 64 partial sums in a private
// array, fills each in the same order and adds them by the same tree, so the
// sum, and every weight divided by it, rounds exactly as there. The scores
// come from the same dot2 (attention-scores.wgsl), the maximum is exact in
// any order, and each output is the same fma chain over j. A test compares
// the two kernels bit for bit.
//
// Why: a software adapter runs a workgroup's threads in turn up to each
// barrier, so attention.wgsl's six-step reductions cost it most of a
// dispatch; this kernel has no barrier and no shared memory.

override WRITE_STAGES: bool = false;

// attention.wgsl's threads per row, whose partial sums this kernel mirrors.
const WG: u32 = 64u;

// Params and bindings 0-4 (Q, K, V, maskBits) come from attention-inputs.wgsl.
@group(0) @binding(5) var<storage, read_write> W: array<f32>;
@group(0) @binding(6) var<storage, read_write> O: array<f32>;
@group(0) @binding(7) var<storage, read_write> stages: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let i = gridIndex(wid) * WG + t;
  if (i >= params.n) {
    return; // no barrier below, so threads may leave on their own
  }
  let m = params.m;
  let dv = params.dv;
  let rowW = i * m;

  // 1. Scores, scaled, masked; the row max over allowed keys.
  var rowMax = NEG_MAX;
  for (var j = 0u; j < m; j++) {
    let masked = maskedScore(i, j);
    rowMax = max(rowMax, masked); // NEG_MAX, where masked, changes nothing
    W[rowW + j] = masked;
  }
  let anyAllowed = rowMax > NEG_MAX;

  // 2. Exponentials, summed as attention.wgsl's threads and tree sum them.
  var part: array<f32, 64>;
  for (var p = 0u; p < WG; p++) {
    part[p] = 0.0;
  }
  for (var j = 0u; j < m; j++) {
    let x = W[rowW + j];
    var e = 0.0;
    if (anyAllowed && x > NEG_MAX) {
      e = exp(x - rowMax);
    }
    W[rowW + j] = e;
    part[j % WG] += e;
  }
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    for (var p = 0u; p < stride; p++) {
      part[p] += part[p + stride];
    }
  }
  let total = part[0];

  // 3. Normalise (total ≥ 1 when anyAllowed: the max term is exp(0)).
  for (var j = 0u; j < m; j++) {
    var w = 0.0;
    if (anyAllowed) {
      w = W[rowW + j] / total;
    }
    W[rowW + j] = w;
  }

  // 4. Weighted sum of values.
  for (var c = 0u; c < dv; c++) {
    var o = 0.0;
    for (var j = 0u; j < m; j++) {
      o = fma(W[rowW + j], V[params.vOffset + j * params.vStride + c], o);
    }
    O[params.oOffset + i * params.oStride + c] = o;
  }
}
