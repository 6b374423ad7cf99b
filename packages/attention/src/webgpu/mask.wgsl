// mask.wgsl: which keys a query may see. Not a kernel on its own: the host
// prepends this text to attention.wgsl and flash.wgsl (WGSL has no #include),
// so both kernels apply exactly the same rule, and the same rule as the CPU's
// src/masks.ts.
//
// Query i of n is aligned to the last n of the m keys, so its own position
// among the keys is p = i + m − n (p = i when n = m). Every structured mask is
// causal (key j ≤ p) plus a pattern:
//   MASK_NONE      every key
//   MASK_CAUSAL    j ≤ p
//   MASK_SLIDING   p − window < j ≤ p                      (a = window)
//   MASK_STRIDED   j ≤ p and (p − j < stride or (p − j) mod stride = 0)
//                                                          (a = stride)
//   MASK_FIXED     j ≤ p and (⌊j/stride⌋ = ⌊p/stride⌋ or j mod stride ≥ stride − summary)
//                                                          (a = stride, b = summary)
//   MASK_BOOLEAN   read from a buffer by the kernel itself (see maskAllows in
//                  each kernel), never here.
// The numbers must match MASK_KIND in src/webgpu/mask.ts.
//
// −∞ cannot be used inside WGSL (the language lets implementations assume no
// infinities), so a masked score is stored as NEG_MAX, the lowest finite f32,
// and the host turns NEG_MAX back into −∞ when it reads a stage.

const MASK_NONE: u32 = 0u;
const MASK_CAUSAL: u32 = 1u;
const MASK_SLIDING: u32 = 2u;
const MASK_STRIDED: u32 = 3u;
const MASK_FIXED: u32 = 4u;
const MASK_BOOLEAN: u32 = 5u;

const NEG_MAX: f32 = -3.40282346638528859812e+38f;

fn structuredMaskAllows(i: u32, j: u32, n: u32, m: u32, kind: u32, a: u32, b: u32) -> bool {
  if (kind == MASK_NONE) {
    return true;
  }
  // Signed: with n > m the first queries sit before every key and see none.
  let p = i32(i) + i32(m) - i32(n);
  let jj = i32(j);
  if (jj > p) {
    return false;
  }
  let back = u32(p - jj); // how far key j lies behind the query, ≥ 0
  switch kind {
    case MASK_CAUSAL: {
      return true;
    }
    case MASK_SLIDING: {
      return back < a;
    }
    case MASK_STRIDED: {
      return back < a || back % a == 0u;
    }
    case MASK_FIXED: {
      // j % a + b ≥ a rather than j % a ≥ a − b: no u32 underflow when b > a.
      return j / a == u32(p) / a || j % a + b >= a;
    }
    default: {
      return false;
    }
  }
}
