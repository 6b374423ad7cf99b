// attention-inputs.wgsl: the problem description and inputs shared by
// attention.wgsl and flash.wgsl. Not a kernel on its own: the host prepends it
// (WGSL has no #include), so both kernels read one Params layout, which must
// match the uniform the host writes in src/webgpu/backend.ts.

struct Params {
  n: u32,
  m: u32,
  dk: u32,
  dv: u32,
  scale: f32,
  maskKind: u32,
  maskA: u32,
  maskB: u32,
  // Always 0, written by the host: see opaque() in attention.wgsl.
  zero: u32,
  // Where each matrix's rows are in its buffer: row r of Q starts at element
  // qOffset + r · qStride, and so on. Dense matrices have stride dk (Q, K) or
  // dv (V, O) and offset 0; a batch (src/batch.ts) passes other values to read
  // one head's columns straight out of the projections, and to write a head's
  // output straight into its columns beside the other heads', with no copy.
  // attention.wgsl and attention-small.wgsl honour them; flash.wgsl, which the
  // host always gives dense matrices, does not read them.
  qStride: u32,
  qOffset: u32,
  kStride: u32,
  kOffset: u32,
  vStride: u32,
  vOffset: u32,
  oStride: u32,
  oOffset: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> Q: array<f32>;
@group(0) @binding(2) var<storage, read> K: array<f32>;
@group(0) @binding(3) var<storage, read> V: array<f32>;
// n × m flags, 1 where query i may see key j; read only for MASK_BOOLEAN
// (a 4-byte placeholder otherwise).
@group(0) @binding(4) var<storage, read> maskBits: array<u32>;
