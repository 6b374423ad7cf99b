// attention-scores.wgsl: what attention.wgsl and attention-small.wgsl share
// to score query i against key j: the mask rule for (i, j), the compensated
// dot product q_i · k_j, and the score scaled and masked, with the stages
// written when asked. Not a kernel on its own: the host prepends it after
// attention-inputs.wgsl and mask.wgsl, so both kernels compute every score
// with the same instructions. WRITE_STAGES and the stages buffer are each
// kernel's own (WGSL declarations may come after their use).

fn maskAllows(i: u32, j: u32) -> bool {
  if (params.maskKind == MASK_BOOLEAN) {
    return maskBits[i * params.m + j] != 0u;
  }
  return structuredMaskAllows(i, j, params.n, params.m, params.maskKind, params.maskA, params.maskB);
}

// q_i · k_j with compensated summation (Dot2 of Ogita, Rump and Oishi 2005):
// each product's rounding error comes exactly from an fma, each addition's
// from TwoSum, and both are carried in a second accumulator. The result is as
// accurate as a dot product summed in twice the precision. Plain float32
// summation over a long d_k leaves errors of about √d_k ulps of the largest
// partial sum: near 1e-4 for unscaled scores at d_k = 1024, which a softmax
// passes straight on to the weights. The extra arithmetic is a few operations
// per term on data already loaded.
//
// TwoSum only works if each operation is rounded as written. In real
// arithmetic s - (t - (t - s)) is 0, and a compiler that reassociates
// floating point may fold it away. NVIDIA's Vulkan driver (580.159, on an
// H200) did: its scores came out as plain float32 sums, 1.07e-4 off at
// d_k = 1024, and the unscaled weights 2.86e-5 off the float64 reference.
// So every intermediate that TwoSum depends on goes through opaque(), an
// identity the compiler cannot see through: it flips no bits of a value only
// the host knows to be 0. With it the same weights are 1.19e-7 off (the
// "Unscaled, d_k 1024" line of npm run bench:gpu -w @attention-guide/attention).
// It costs an integer XOR per guard.
fn opaque(x: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(x) ^ params.zero);
}

fn dot2(qStart: u32, kStart: u32, len: u32) -> f32 {
  var s = 0.0;
  var c = 0.0;
  for (var d = 0u; d < len; d++) {
    let a = Q[qStart + d];
    let b = K[kStart + d];
    let p = opaque(a * b);
    let productError = fma(a, b, -p);
    let t = opaque(s + p);
    let z = opaque(t - s);
    let sumError = (s - opaque(t - z)) + (p - z);
    s = t;
    c += productError + sumError;
  }
  return s + c;
}

// Query i's score against key j, scaled, and NEG_MAX where the mask forbids
// the pair; with WRITE_STAGES, the three n × m stage planes are written too.
fn maskedScore(i: u32, j: u32) -> f32 {
  let s = dot2(params.qOffset + i * params.qStride, params.kOffset + j * params.kStride, params.dk);
  let scaled = s * params.scale;
  var masked = NEG_MAX;
  if (maskAllows(i, j)) {
    masked = scaled;
  }
  if (WRITE_STAGES) {
    let plane = params.n * params.m;
    let at = i * params.m + j;
    stages[at] = s;
    stages[plane + at] = scaled;
    stages[2u * plane + at] = masked;
  }
  return masked;
}
