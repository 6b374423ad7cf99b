// row-reduce.wgsl: the maximum and the sum of one value per thread across a
// 64-thread workgroup, by tree reduction in workgroup memory. Not a kernel on
// its own: the host prepends it to softmax.wgsl and attention.wgsl (WGSL has
// no #include), which both give one workgroup to each row.
//
// Threads per workgroup: 64 is a multiple of every GPU's SIMD width (32 on
// NVIDIA, 64 on AMD) and keeps each reduction to 6 halving steps.
// Shared memory: red, 64 f32 = 256 bytes.
//
// Each function writes red, so every thread of the workgroup must call it,
// from uniform control flow (the barriers require it); each ends with a
// barrier, so red can be reused by the next call.

const WG: u32 = 64u;

var<workgroup> red: array<f32, 64>;

fn workgroupMax(t: u32, value: f32) -> f32 {
  red[t] = value;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (t < stride) {
      red[t] = max(red[t], red[t + stride]);
    }
    workgroupBarrier();
  }
  let result = red[0];
  workgroupBarrier(); // everyone has read red[0] before it is reused
  return result;
}

fn workgroupSum(t: u32, value: f32) -> f32 {
  red[t] = value;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (t < stride) {
      red[t] += red[t + stride];
    }
    workgroupBarrier();
  }
  let result = red[0];
  workgroupBarrier(); // everyone has read red[0] before it is reused
  return result;
}
