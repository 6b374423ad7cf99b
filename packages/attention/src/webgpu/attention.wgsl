// attention.wgsl: the "standard" (unfused in memory, Algorithm 0 of Dao et al.
// 2022) scaled dot-product attention for one head,
//   O = softmax(mask(Q·Kᵀ · scale)) · V,
// Q n × dk, K m × dk, V m × dv, O n × dv, W (the weights) n × m; Q, K, V
// and O may be columns of wider matrices (their strides and offsets in Params).
// It materialises the whole n × m weight matrix in device memory, which is
// the point: this is the baseline the tiled kernel (flash.wgsl) improves on,
// and the matrix is what the guide draws.
//
// mask.wgsl and attention-scores.wgsl are prepended to this file by the host.
//
// Work split
//   One workgroup per query row i; WG = 64 threads. Thread t handles keys
//   j = t, t + 64, … and later output columns c = t, t + 64, …
//     1. score s_ij = q_i · k_j (a dk-long compensated dot product from device memory),
//        scaled, masked (NEG_MAX where the mask forbids); written to W[i][j]
//        and, when WRITE_STAGES, to the three stage planes; running max;
//     2. tree-reduce the max in shared memory (6 halving steps for 64);
//     3. W[i][j] = exp(W[i][j] − max), running sum, tree-reduce the sum;
//     4. W[i][j] /= sum (0 for masked keys, and the whole row is 0 when the
//        mask forbids every key);
//     5. after a storage barrier (so each thread sees the weights the others
//        wrote), o_ic = Σ_j W[i][j] · v_jc.
//   Steps 1, 3 and 4 touch only the thread's own keys, so they need no
//   barrier between them.
//
// Shared memory: red (row-reduce.wgsl), 64 f32 = 256 bytes, for the two reductions.
//
// Storage bindings: Q, K, V, mask bits, W, O, stages = 7, within the 8 that
// every device offers (maxStorageBuffersPerShaderStage); that is why the three
// stage planes share one buffer instead of taking three bindings.

// When true, also write scores, scaled scores and masked scores (the
// `stages` option); a pipeline constant so the common case carries no stores
// for them.
override WRITE_STAGES: bool = false;

// WG (64 threads), red and the reductions come from row-reduce.wgsl.
// Rows beyond the guaranteed 65535 workgroups per dimension spill into
// wid.y (gridIndex, grid.wgsl).

// Params and bindings 0-4 (Q, K, V, maskBits) come from attention-inputs.wgsl.
@group(0) @binding(5) var<storage, read_write> W: array<f32>;
@group(0) @binding(6) var<storage, read_write> O: array<f32>;
// Three n × m planes: scores, scaled, masked. A placeholder unless WRITE_STAGES.
@group(0) @binding(7) var<storage, read_write> stages: array<f32>;

// maskAllows, opaque and dot2 come from attention-scores.wgsl.

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let i = gridIndex(wid);
  if (i >= params.n) {
    return; // uniform across the workgroup
  }
  let m = params.m;
  let dv = params.dv;
  let rowW = i * m;

  // 1. Scores, scaled, masked; running max over allowed keys.
  var localMax = NEG_MAX;
  for (var j = t; j < m; j += WG) {
    let masked = maskedScore(i, j);
    localMax = max(localMax, masked); // NEG_MAX, where masked, changes nothing
    W[rowW + j] = masked;
  }

  // 2. Row max.
  let rowMax = workgroupMax(t, localMax);
  let anyAllowed = rowMax > NEG_MAX;

  // 3. Exponentials and their sum.
  var localSum = 0.0;
  for (var j = t; j < m; j += WG) {
    let x = W[rowW + j];
    var e = 0.0;
    if (anyAllowed && x > NEG_MAX) {
      e = exp(x - rowMax);
    }
    W[rowW + j] = e;
    localSum += e;
  }
  let total = workgroupSum(t, localSum);

  // 4. Normalise (total ≥ 1 when anyAllowed: the max term is exp(0)).
  for (var j = t; j < m; j += WG) {
    var w = 0.0;
    if (anyAllowed) {
      w = W[rowW + j] / total;
    }
    W[rowW + j] = w;
  }

  // 5. Weighted sum of values; needs every thread's weights.
  storageBarrier();
  for (var c = t; c < dv; c += WG) {
    var o = 0.0;
    for (var j = 0u; j < m; j++) {
      o = fma(W[rowW + j], V[params.vOffset + j * params.vStride + c], o);
    }
    O[params.oOffset + i * params.oStride + c] = o;
  }
}
