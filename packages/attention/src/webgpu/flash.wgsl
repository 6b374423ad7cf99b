// flash.wgsl: the tiled attention forward pass with an online softmax
// (FlashAttention, Dao et al. 2022, Algorithm 1), for one head:
//   O = softmax(mask(Q·Kᵀ · scale)) · V, Q n × DK, K m × DK, V m × DV.
// The n × m score matrix never exists in device memory: each block of it
// lives in shared memory ("SRAM") only while it is used.
//
// mask.wgsl is prepended to this file by the host.
//
// Work split
//   A workgroup owns one block of BR query rows (the last block may be
//   partial) and walks all m keys in blocks of BC rows (the last one may be
//   partial too). It runs BR × TPR threads: thread t serves row r = t / TPR as
//   its u = t % TPR-th helper.
//   Once: the BR × DK block of Q is copied into shared memory.
//   For each key/value block:
//     a. all threads copy the BC × DK block of K and the BC × DV block of V
//        into shared memory (rows past m read as 0);
//     b. thread (r, u) computes scores S[r][c] = scale · q_r · k_c for
//        c = u, u + TPR, … < BC, or NEG_MAX where the mask forbids (r, c) or
//        the row/column lies past n/m;
//     c. helper u = 0 of each row does the online-softmax bookkeeping for its
//        row, serially over the BC scores (cheap next to step b's BC · DK
//        multiply-adds): new max m' = max(m, max_c S), rescale factor
//        alpha = exp(m − m'), P[r][c] = exp(S[r][c] − m'),
//        l' = alpha · l + Σ_c P[r][c];
//     d. thread (r, u) updates its output columns c = u, u + TPR, … < DV:
//        O[r][c] = alpha · O[r][c] + Σ_j P[r][j] · V[j][c].
//   Finally O[r][c] / l is written (0 for a row whose mask forbids every key,
//   where l stays 0).
//
// Shared memory (f32 words), every size a pipeline constant:
//   qTile BR·DK, kTile BC·DK, vTile BC·DV, sTile BR·BC (scores, then P),
//   oTile BR·DV (the running output), mRow, lRow, alphaRow BR each.
//   The host (flash-plan.ts) checks 4 · (sum) ≤ maxComputeWorkgroupStorageSize and
//   BR × TPR ≤ maxComputeInvocationsPerWorkgroup before it compiles this, and
//   refuses blocks that do not fit with BLOCK_TOO_LARGE.

// Query rows per block (B_r) and key/value rows per block (B_c).
override BR: u32 = 16u;
override BC: u32 = 16u;
// Head dimensions, fixed per pipeline so the tiles can be sized exactly.
override DK: u32 = 16u;
override DV: u32 = 16u;
// Helper threads per query row: the host picks min(BC, ⌊invocation limit / BR⌋),
// so a row never has idle helpers in step b and the workgroup fits the device.
override TPR: u32 = 16u;
// Workgroup size, BR · TPR; set by the host (WGSL cannot multiply two
// overrides inside @workgroup_size).
override WG_SIZE: u32 = 256u;

// Params and bindings 0-4 (Q, K, V, maskBits) come from attention-inputs.wgsl.
@group(0) @binding(5) var<storage, read_write> O: array<f32>;

var<workgroup> qTile: array<f32, BR * DK>;
var<workgroup> kTile: array<f32, BC * DK>;
var<workgroup> vTile: array<f32, BC * DV>;
var<workgroup> sTile: array<f32, BR * BC>;
var<workgroup> oTile: array<f32, BR * DV>;
var<workgroup> mRow: array<f32, BR>;
var<workgroup> lRow: array<f32, BR>;
var<workgroup> alphaRow: array<f32, BR>;

fn maskAllows(i: u32, j: u32) -> bool {
  if (params.maskKind == MASK_BOOLEAN) {
    return maskBits[i * params.m + j] != 0u;
  }
  return structuredMaskAllows(i, j, params.n, params.m, params.maskKind, params.maskA, params.maskB);
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let block = gridIndex(wid);
  let q0 = block * BR;
  if (q0 >= params.n) {
    return; // a whole workgroup past the end: uniform, so barriers stay legal
  }
  let n = params.n;
  let m = params.m;
  let r = t / TPR;
  let u = t % TPR;

  // Q block, running statistics and output accumulator.
  for (var e = t; e < BR * DK; e += WG_SIZE) {
    let row = q0 + e / DK;
    var x = 0.0;
    if (row < n) {
      x = Q[row * DK + e % DK];
    }
    qTile[e] = x;
  }
  for (var e = t; e < BR * DV; e += WG_SIZE) {
    oTile[e] = 0.0;
  }
  for (var e = t; e < BR; e += WG_SIZE) {
    mRow[e] = NEG_MAX;
    lRow[e] = 0.0;
  }
  workgroupBarrier();

  let blocks = (m + BC - 1u) / BC;
  for (var b = 0u; b < blocks; b++) {
    let j0 = b * BC;

    // a. K and V blocks.
    for (var e = t; e < BC * DK; e += WG_SIZE) {
      let row = j0 + e / DK;
      var x = 0.0;
      if (row < m) {
        x = K[row * DK + e % DK];
      }
      kTile[e] = x;
    }
    for (var e = t; e < BC * DV; e += WG_SIZE) {
      let row = j0 + e / DV;
      var x = 0.0;
      if (row < m) {
        x = V[row * DV + e % DV];
      }
      vTile[e] = x;
    }
    workgroupBarrier();

    // b. Scores for this thread's columns.
    let qi = q0 + r;
    for (var c = u; c < BC; c += TPR) {
      let kj = j0 + c;
      var s = NEG_MAX;
      if (qi < n && kj < m && maskAllows(qi, kj)) {
        var dot = 0.0;
        for (var d = 0u; d < DK; d++) {
          dot = fma(qTile[r * DK + d], kTile[c * DK + d], dot);
        }
        s = dot * params.scale;
      }
      sTile[r * BC + c] = s;
    }
    workgroupBarrier();

    // c. Online softmax bookkeeping, one helper per row.
    if (u == 0u) {
      let mOld = mRow[r];
      var mNew = mOld;
      for (var c = 0u; c < BC; c++) {
        mNew = max(mNew, sTile[r * BC + c]);
      }
      var alpha = 1.0;
      var sum = 0.0;
      if (mNew > NEG_MAX) {
        // exp(NEG_MAX − mNew) would underflow to 0 anyway; the branch keeps
        // the arithmetic away from the sentinel.
        if (mOld > NEG_MAX) {
          alpha = exp(mOld - mNew);
        } else {
          alpha = 0.0;
        }
        for (var c = 0u; c < BC; c++) {
          let s = sTile[r * BC + c];
          var p = 0.0;
          if (s > NEG_MAX) {
            p = exp(s - mNew);
          }
          sTile[r * BC + c] = p;
          sum += p;
        }
      } else {
        // Nothing allowed yet in this row: P = 0, statistics unchanged.
        for (var c = 0u; c < BC; c++) {
          sTile[r * BC + c] = 0.0;
        }
      }
      mRow[r] = mNew;
      lRow[r] = alpha * lRow[r] + sum;
      alphaRow[r] = alpha;
    }
    workgroupBarrier();

    // d. Rescale and accumulate this thread's output columns.
    let alpha = alphaRow[r];
    for (var c = u; c < DV; c += TPR) {
      var o = oTile[r * DV + c] * alpha;
      for (var j = 0u; j < BC; j++) {
        o = fma(sTile[r * BC + j], vTile[j * DV + c], o);
      }
      oTile[r * DV + c] = o;
    }
    // The next block overwrites kTile, vTile and sTile.
    workgroupBarrier();
  }

  let qi = q0 + r;
  if (qi < n) {
    let l = lRow[r];
    for (var c = u; c < DV; c += TPR) {
      var o = 0.0;
      if (l > 0.0) {
        o = oTile[r * DV + c] / l;
      }
      O[qi * DV + c] = o;
    }
  }
}
