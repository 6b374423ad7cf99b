import type { AttentionOptions, AttentionResult, Backend, FlashOptions, SoftmaxOptions } from '../types';
import type { Tensor } from '../tensor';
import { sizeOf } from '../tensor';
import { BufferUsage, MAP_MODE_READ, NEG_MAX } from './constants';
import { ceilDiv, rowGrid } from './dispatch';
import { GpuFailure, isGpuFailure } from './failure';
import { planFlash, type FlashLimits } from './flash-plan';
import type { KernelName } from './kernels';
import { encodeMask } from './mask';
import { PipelineCache, type Constants } from './pipelines';
import { BufferPool } from './pool';
import { describeAdapter, requestDeviceLimits } from './adapter';
import { batchResult, type Batch, type BatchResult } from '../batch';

/**
 * Test-only fault injection. Each fault makes a real failure happen on the
 * real device, so the tests exercise the same paths a reader's browser would.
 */
export interface WebGpuFaults {
  /** Append invalid WGSL to every kernel: the first call fails to compile. */
  failShaderCompile?: boolean;
  /** After this many successful calls, the next one destroys the device right after submitting its work. */
  loseDeviceAfterCalls?: number;
}

export interface WebGpuBackendOptions {
  faults?: WebGpuFaults;
  /** Called once if the device is lost (not when dispose() destroys it). */
  onLost?: (reason: string) => void;
}

export interface WebGpuStats {
  /** Distinct compiled pipelines. */
  pipelines: number;
  buffersCreated: number;
  buffersReused: number;
  /** Calls that reached the GPU. */
  calls: number;
}

export interface WebGpuBackend extends Backend {
  readonly info: { kind: 'webgpu'; adapter: string; software: boolean };
  readonly limits: FlashLimits;
  readonly stats: WebGpuStats;
  /** Why the device can no longer be used, or null while it can. */
  readonly failure: string | null;
}

const STORAGE = BufferUsage.STORAGE | BufferUsage.COPY_DST | BufferUsage.COPY_SRC;
const UNIFORM = BufferUsage.UNIFORM | BufferUsage.COPY_DST;
const STAGING = BufferUsage.MAP_READ | BufferUsage.COPY_DST;
/** Size of a placeholder binding (a stage or mask buffer the call does not use). */
const PLACEHOLDER_BYTES = 4;
/** matmul.wgsl computes a 64 × 64 tile of C per workgroup. */
const MATMUL_TILE = 64;
/** Largest product, in multiply-adds, that matmul-small.wgsl takes (see matmulLaunch). */
export const SMALL_MATMUL = 1 << 18;
/** Largest attention, in multiply-adds, that attention-small.wgsl takes (see attentionLaunch). */
export const SMALL_ATTENTION = 1 << 18;
/** Threads per workgroup of the one-thread-per-element (or row) kernels: matmul-small, attention-small, add, gelu, copy. */
const ELEMENTS_PER_GROUP = 64;
/** How long to wait for device.lost after a failed call before blaming something else. */
const LOST_GRACE_MS = 20;

/**
 * Starts WebGPU: adapter, device, pipeline cache and buffer pool. Rejects with
 * a GpuFailure (an AttentionError 'BACKEND_FAILED') whose message is the reason
 * a reader sees when the engine falls back to the CPU.
 */
/** Each backend's GPU object, held for as long as the backend lives. */
const retainedGpu = new WeakMap<WebGpuBackend, GPU>();

export async function createWebGpuBackend(gpu: GPU | undefined, options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  if (!gpu) throw new GpuFailure('no-webgpu', 'this browser does not offer WebGPU');
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (error) {
    throw new GpuFailure('no-adapter', `the WebGPU adapter request failed: ${messageOf(error)}`);
  }
  if (!adapter) throw new GpuFailure('no-adapter', 'no WebGPU adapter was offered');
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits: requestDeviceLimits(adapter) });
  } catch (error) {
    throw new GpuFailure('no-device', `the WebGPU device request failed: ${messageOf(error)}`);
  }
  const info = adapter.info as GPUAdapterInfo | undefined;
  const backend = new GpuBackend(device, { kind: 'webgpu', adapter: describeAdapter(info), software: Boolean(info?.isFallbackAdapter) }, options);
  // In Node (Dawn's `webgpu` package) the GPU object must outlive its devices,
  // or collecting it crashes the process; the backend keeps it.
  retainedGpu.set(backend, gpu);
  return backend;
}

interface Input {
  data: Float32Array | Uint32Array | null;
  /** Bytes to allocate; data.byteLength when data is given. */
  bytes: number;
}

interface Output {
  bytes: number;
  /** Copy back to the CPU? Scratch and placeholder outputs are not read. */
  read: boolean;
}

interface Launch {
  kernel: KernelName;
  constants: Constants;
  uniform: ArrayBuffer;
  inputs: Input[];
  outputs: Output[];
  grid: [number, number];
}

class GpuBackend implements WebGpuBackend {
  readonly info: WebGpuBackend['info'];
  readonly limits: FlashLimits;
  readonly #device: GPUDevice;
  readonly #pool: BufferPool;
  readonly #pipelines: PipelineCache;
  readonly #faults: WebGpuFaults;
  readonly #maxBinding: number;
  #calls = 0;
  #failure: string | null = null;
  #failureCause: 'device-lost' | 'internal' = 'internal';
  #disposed = false;
  readonly #lostSeen: Promise<void>;

  constructor(device: GPUDevice, info: WebGpuBackend['info'], options: WebGpuBackendOptions) {
    this.#device = device;
    this.info = info;
    this.#faults = options.faults ?? {};
    const l = device.limits;
    this.limits = {
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
    };
    this.#maxBinding = Math.min(l.maxStorageBufferBindingSize, l.maxBufferSize);
    this.#pool = new BufferPool(device, l.maxBufferSize);
    // A missing ')' : a parse error in every kernel, caught by the real compiler.
    this.#pipelines = new PipelineCache(device, this.#faults.failShaderCompile ? '\nfn injectedFault( {\n' : '');
    this.#lostSeen = device.lost.then((lost) => {
      if (this.#disposed) return;
      this.#fail('device-lost', `the WebGPU device was lost: ${lost.message || lost.reason || 'no reason given'}`);
      options.onLost?.(this.#failure ?? '');
    });
    device.addEventListener('uncapturederror', (event) => {
      // Every dispatch runs inside error scopes, so an error that escapes them
      // means the device is in a state we did not plan for: stop using it.
      this.#fail('internal', `the WebGPU device reported an error: ${(event as GPUUncapturedErrorEvent).error.message}`);
    });
  }

  get failure(): string | null {
    return this.#failure;
  }

  get stats(): WebGpuStats {
    return {
      pipelines: this.#pipelines.size,
      buffersCreated: this.#pool.stats.created,
      buffersReused: this.#pool.stats.reused,
      calls: this.#calls,
    };
  }

  async matmul(a: Tensor, b: Tensor, options: { transposeB?: boolean } = {}): Promise<Tensor> {
    const transposeB = options.transposeB ?? false;
    const [M, K] = matrixDims(a);
    const N = transposeB ? matrixDims(b)[0] : matrixDims(b)[1];
    const uniform = new Uint32Array([M, N, K, 0]).buffer;
    const [c] = await this.#run({
      ...matmulLaunch(M, N, K, transposeB),
      uniform,
      inputs: [input(a.data), input(b.data)],
      outputs: [{ bytes: 4 * M * N, read: true }],
    });
    return { data: c!, shape: [M, N] };
  }

  async softmax(x: Tensor, options: SoftmaxOptions = {}): Promise<Tensor> {
    const cols = x.shape[x.shape.length - 1]!;
    const rows = sizeOf(x.shape) / cols;
    const factor = (options.scale ?? 1) / (options.temperature ?? 1);
    const uniform = new ArrayBuffer(16);
    new Uint32Array(uniform, 0, 2).set([rows, cols]);
    new Float32Array(uniform, 8, 1)[0] = factor;
    const [y] = await this.#run({
      kernel: 'softmax',
      constants: {},
      uniform,
      inputs: [input(toShaderFloats(x.data))],
      outputs: [{ bytes: 4 * rows * cols, read: true }],
      grid: rowGrid(rows),
    });
    return { data: y!, shape: [...x.shape] };
  }

  async attention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): Promise<AttentionResult> {
    const [n, dk] = matrixDims(q);
    const [m] = matrixDims(k);
    const [, dv] = matrixDims(v);
    const stages = options.stages ?? false;
    const scale = options.scale ?? 1 / Math.sqrt(dk);
    const mask = encodeMask(options.mask);
    const [weights, output, planes] = await this.#run({
      ...attentionLaunch(n, m, dk, dv, stages),
      uniform: attentionUniform(n, m, dk, dv, scale, mask),
      inputs: [input(q.data), input(k.data), input(v.data), mask.bits ? input(mask.bits) : placeholder()],
      outputs: [
        { bytes: 4 * n * m, read: stages },
        { bytes: 4 * n * dv, read: true },
        { bytes: stages ? 4 * 3 * n * m : PLACEHOLDER_BYTES, read: stages },
      ],
    });
    const result: AttentionResult = { output: { data: output!, shape: [n, dv] } };
    if (stages) {
      const plane = n * m;
      const all = planes!;
      const masked = unmaskInfinities(all.slice(2 * plane, 3 * plane));
      result.stages = {
        scores: { data: all.slice(0, plane), shape: [n, m] },
        scaled: { data: all.slice(plane, 2 * plane), shape: [n, m] },
        masked: { data: masked, shape: [n, m] },
        weights: { data: weights!, shape: [n, m] },
      };
    }
    return result;
  }

  async flashAttention(q: Tensor, k: Tensor, v: Tensor, options: FlashOptions): Promise<Tensor> {
    const [n, dk] = matrixDims(q);
    const [m] = matrixDims(k);
    const [, dv] = matrixDims(v);
    // Blocks larger than the problem shrink to it (as on the CPU), so only
    // blocks that would really be used are checked against the device.
    // Before any allocation: refuses blocks this device cannot hold.
    const plan = planFlash(Math.min(options.blockRows, n), Math.min(options.blockCols, m), dk, dv, this.limits);
    const scale = options.scale ?? 1 / Math.sqrt(dk);
    const mask = encodeMask(options.mask);
    const { sharedBytes: _notAConstant, ...constants } = plan; // the rest are flash.wgsl overrides
    const [output] = await this.#run({
      kernel: 'flash',
      constants,
      uniform: attentionUniform(n, m, dk, dv, scale, mask),
      inputs: [input(q.data), input(k.data), input(v.data), mask.bits ? input(mask.bits) : placeholder()],
      outputs: [{ bytes: 4 * n * dv, read: true }],
      grid: rowGrid(ceilDiv(n, plan.BR)),
    });
    return { data: output!, shape: [n, dv] };
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#pool.destroy();
    this.#device.destroy();
  }

  #fail(cause: 'device-lost' | 'internal', reason: string): void {
    // The first reason is the real one; later ones are its consequences.
    if (this.#failure !== null) return;
    this.#failure = reason;
    this.#failureCause = cause;
  }

  #checkUsable(): void {
    if (this.#disposed) throw new GpuFailure('internal', 'the WebGPU backend was disposed');
    if (this.#failure !== null) throw new GpuFailure(this.#failureCause, this.#failure);
  }

  /** One dispatch: upload, run, read back, all inside error scopes. */
  async #run(launch: Launch): Promise<Float32Array[]> {
    this.#checkUsable();
    const sizes = [...launch.inputs.map((i) => i.bytes), ...launch.outputs.map((o) => o.bytes)];
    this.#checkFits(Math.max(...sizes), launch.grid);
    const pipeline = await this.#pipelines.get(launch.kernel, launch.constants);
    return this.#submit((take, pass) => {
      const device = this.#device;
      const uniform = take(launch.uniform.byteLength, UNIFORM);
      device.queue.writeBuffer(uniform, 0, launch.uniform);
      const inputs = launch.inputs.map((i) => {
        const b = take(i.bytes, STORAGE);
        if (i.data) device.queue.writeBuffer(b, 0, i.data);
        return b;
      });
      const outputs = launch.outputs.map((o) => take(o.bytes, STORAGE));
      this.#dispatch(pass, launch.kernel, pipeline, [uniform, ...inputs, ...outputs], launch.grid);
      return launch.outputs.map((o, i) => (o.read ? { buffer: outputs[i]!, bytes: o.bytes } : null));
    });
  }

  /**
   * A batch (batch.ts) as one submission: every value gets its own buffer,
   * every op one dispatch, and the values asked for come back in one readback.
   */
  async run(batch: Batch): Promise<BatchResult> {
    this.#checkUsable();
    const { nodes } = batch;
    const bytesOf = (id: number) => 4 * nodes[id]!.shape[0] * nodes[id]!.shape[1];
    // What each op will ask of the device, checked before anything is allocated.
    const launches = nodes.map((node): { kernel: KernelName; constants: Constants; grid: [number, number] } | null => {
      const [rows, cols] = node.shape;
      switch (node.op) {
        case 'matmul':
          return matmulLaunch(rows, cols, nodes[node.a]!.shape[1], node.transposeB);
        case 'attention':
          return attentionLaunch(rows, nodes[node.k]!.shape[0], nodes[node.q]!.shape[1], cols, node.stages);
        case 'layerNorm':
          return { kernel: 'layernorm', constants: {}, grid: rowGrid(rows) };
        case 'add':
        case 'gelu':
          return { kernel: node.op, constants: {}, grid: rowGrid(ceilDiv(rows * cols, ELEMENTS_PER_GROUP)) };
        case 'columns':
        case 'concat':
          return { kernel: 'copy', constants: {}, grid: rowGrid(ceilDiv(rows * cols, ELEMENTS_PER_GROUP)) };
        default:
          return null;
      }
    });
    nodes.forEach((_, id) => this.#checkFits(bytesOf(id), launches[id]?.grid ?? [1, 1]));
    const pipelines = await Promise.all(launches.map((l) => (l ? this.#pipelines.get(l.kernel, l.constants) : null)));
    // Columns and concatenations all copy with the one copy pipeline (absent when the batch has none).
    const copyPipeline = pipelines[launches.findIndex((l) => l?.kernel === 'copy')];

    const outputs = await this.#submit((take, pass) => {
      const device = this.#device;
      const buffers: GPUBuffer[] = [];
      const uniform = (data: ArrayBuffer): GPUBuffer => {
        const b = take(data.byteLength, UNIFORM);
        device.queue.writeBuffer(b, 0, data);
        return b;
      };
      const copy = (rows: number, width: number, src: GPUBuffer, srcStride: number, srcOffset: number, dst: GPUBuffer, dstStride: number, dstOffset: number): void => {
        const params = uniform(new Uint32Array([rows, width, srcStride, srcOffset, dstStride, dstOffset, 0, 0]).buffer);
        this.#dispatch(pass, 'copy', copyPipeline!, [params, src, dst], rowGrid(ceilDiv(rows * width, ELEMENTS_PER_GROUP)));
      };
      for (const [id, node] of nodes.entries()) {
        const [rows, cols] = node.shape;
        if (node.op === 'weights' || node.op === 'stages') continue; // their buffers came with their attention node
        const out = take(bytesOf(id), STORAGE);
        buffers[id] = out;
        const pipeline = pipelines[id]!; // null for inputs, which dispatch nothing
        const grid = launches[id]?.grid ?? [1, 1];
        switch (node.op) {
          case 'input':
            device.queue.writeBuffer(out, 0, node.data);
            break;
          case 'matmul': {
            const inner = nodes[node.a]!.shape[1];
            this.#dispatch(pass, launches[id]!.kernel, pipeline, [uniform(new Uint32Array([rows, cols, inner, 0]).buffer), buffers[node.a]!, buffers[node.b]!, out], grid);
            break;
          }
          case 'attention': {
            const [, dk] = nodes[node.q]!.shape;
            const [m] = nodes[node.k]!.shape;
            const mask = encodeMask(node.mask);
            const bits = take(mask.bits ? mask.bits.byteLength : PLACEHOLDER_BYTES, STORAGE);
            if (mask.bits) device.queue.writeBuffer(bits, 0, mask.bits);
            const weights = take(bytesOf(id + 1), STORAGE);
            buffers[id + 1] = weights;
            const planes = take(node.stages ? bytesOf(id + 2) : PLACEHOLDER_BYTES, STORAGE);
            if (node.stages) buffers[id + 2] = planes;
            const params = uniform(attentionUniform(rows, m, dk, cols, node.scale, mask));
            this.#dispatch(pass, launches[id]!.kernel, pipeline, [params, buffers[node.q]!, buffers[node.k]!, buffers[node.v]!, bits, weights, out, planes], grid);
            break;
          }
          case 'layerNorm': {
            const params = new ArrayBuffer(16);
            new Uint32Array(params, 0, 2).set([rows, cols]);
            new Float32Array(params, 8, 1)[0] = node.epsilon;
            this.#dispatch(pass, 'layernorm', pipeline, [uniform(params), buffers[node.x]!, buffers[node.gain]!, buffers[node.bias]!, out], grid);
            break;
          }
          case 'add': {
            const [bRows, bCols] = nodes[node.b]!.shape;
            this.#dispatch(pass, 'add', pipeline, [uniform(new Uint32Array([rows * cols, bRows * bCols, 0, 0]).buffer), buffers[node.a]!, buffers[node.b]!, out], grid);
            break;
          }
          case 'gelu':
            this.#dispatch(pass, 'gelu', pipeline, [uniform(new Uint32Array([rows * cols, 0, 0, 0]).buffer), buffers[node.x]!, out], grid);
            break;
          case 'columns': {
            const stride = nodes[node.x]!.shape[1];
            copy(rows, cols, buffers[node.x]!, stride, node.from, out, cols, 0);
            break;
          }
          case 'concat': {
            let at = 0;
            for (const part of node.parts) {
              const [partRows, partCols] = nodes[part]!.shape;
              if (node.axis === 'rows') copy(partRows, partCols, buffers[part]!, partCols, 0, out, cols, at * cols);
              else copy(partRows, partCols, buffers[part]!, partCols, 0, out, cols, at);
              at += node.axis === 'rows' ? partRows : partCols;
            }
            break;
          }
        }
      }
      return batch.reads.map((id) => ({ buffer: buffers[id]!, bytes: bytesOf(id) }));
    });
    batch.reads.forEach((id, i) => {
      if (nodes[id]!.op === 'stages') unmaskInfinities(outputs[i]!.subarray((2 * outputs[i]!.length) / 3));
    });
    return batchResult(batch, new Map(batch.reads.map((id, i) => [id, outputs[i]!])));
  }

  /** Refuses, before any allocation, a buffer or grid this device cannot take. */
  #checkFits(bytes: number, grid: [number, number]): void {
    if (bytes > this.#maxBinding) {
      throw new GpuFailure('too-large', `a ${bytes}-byte buffer exceeds this WebGPU device's ${this.#maxBinding}-byte limit`);
    }
    const maxGroups = this.#device.limits.maxComputeWorkgroupsPerDimension;
    if (grid[0] > maxGroups || grid[1] > maxGroups) {
      throw new GpuFailure('too-large', `the problem needs more workgroups than this WebGPU device can dispatch`);
    }
  }

  /** One compute pass with one dispatch; bindings in the kernel's order. */
  #dispatch(pass: GPUComputePassEncoder, kernel: KernelName, pipeline: GPUComputePipeline, bindings: GPUBuffer[], grid: [number, number]): void {
    const bindGroup = this.#device.createBindGroup({
      layout: this.#pipelines.layout(kernel),
      entries: bindings.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(grid[0], grid[1]);
  }

  /**
   * Encodes some work, submits it and reads back what it returns (null: a
   * placeholder read as an empty array), all inside error scopes, through one
   * staging buffer and one map. Buffers taken with `take` go back to the pool
   * once the readback is done, or are destroyed if anything failed.
   */
  async #submit(encode: (take: (bytes: number, usage: number) => GPUBuffer, pass: GPUComputePassEncoder) => ({ buffer: GPUBuffer; bytes: number } | null)[]): Promise<Float32Array[]> {
    this.#checkUsable();
    const device = this.#device;
    const pool = this.#pool;
    const used: GPUBuffer[] = [];
    const take = (bytes: number, usage: number): GPUBuffer => {
      const b = pool.acquire(bytes, usage);
      used.push(b);
      return b;
    };
    let ok = false;
    try {
      // Everything between push and pop is synchronous: no other call's
      // scopes can interleave with these.
      device.pushErrorScope('out-of-memory');
      device.pushErrorScope('validation');
      let scopes: Promise<[GPUError | null, GPUError | null]>;
      let staging: GPUBuffer | null = null;
      const offsets: number[] = [];
      let reads: ({ buffer: GPUBuffer; bytes: number } | null)[];
      try {
        const encoder = device.createCommandEncoder();
        // One compute pass for every dispatch: WebGPU orders each dispatch's
        // reads after the writes of those before it, and a software adapter
        // pays per pass (a batch of copies ran 3× slower with a pass each).
        const pass = encoder.beginComputePass();
        reads = encode(take, pass);
        pass.end();
        let total = 0;
        for (const r of reads) {
          offsets.push(total);
          total += r?.bytes ?? 0;
        }
        if (total > 0) {
          staging = take(total, STAGING);
          reads.forEach((r, i) => {
            if (r) encoder.copyBufferToBuffer(r.buffer, 0, staging!, offsets[i]!, r.bytes);
          });
        }
        device.queue.submit([encoder.finish()]);
      } finally {
        const validation = device.popErrorScope();
        const oom = device.popErrorScope();
        scopes = Promise.all([validation, oom]);
      }
      this.#calls++;
      const lose = this.#faults.loseDeviceAfterCalls;
      if (lose !== undefined && this.#calls > lose) device.destroy();

      const [scopeResult, mapResult] = await Promise.allSettled([scopes, staging?.mapAsync(MAP_MODE_READ)]);
      if (scopeResult.status === 'rejected') throw scopeResult.reason;
      const [validationError, oomError] = scopeResult.value;
      if (oomError) throw new GpuFailure('out-of-memory', `the WebGPU device ran out of memory: ${oomError.message}`);
      if (validationError) throw new GpuFailure('validation', `the WebGPU device rejected a command: ${validationError.message}`);
      if (mapResult.status === 'rejected') throw mapResult.reason;
      // Copy out: the mapped range is detached by unmap().
      const mapped = staging ? staging.getMappedRange(0, offsets.at(-1)! + (reads.at(-1)?.bytes ?? 0)) : null;
      const results = reads.map((r, i) => (r && mapped ? new Float32Array(mapped.slice(offsets[i]!, offsets[i]! + r.bytes)) : new Float32Array(0)));
      staging?.unmap();
      ok = true;
      return results;
    } catch (error) {
      throw await this.#classify(error);
    } finally {
      // After a failure a buffer may be mid-map or belong to a dead device.
      for (const b of used) {
        if (ok) pool.release(b);
        else pool.discard(b);
      }
    }
  }

  /** Turns whatever a failed call threw into a GpuFailure with a reader-facing reason. */
  async #classify(error: unknown): Promise<GpuFailure> {
    if (isGpuFailure(error)) return error;
    // A destroyed or crashed device rejects maps before device.lost settles;
    // give it a moment so the reason names the loss, not its symptom.
    await Promise.race([this.#lostSeen, new Promise((r) => setTimeout(r, LOST_GRACE_MS))]);
    if (this.#failure !== null) return new GpuFailure(this.#failureCause, this.#failure);
    return new GpuFailure('internal', `a WebGPU call failed: ${messageOf(error)}`);
  }
}

/**
 * Which kernel multiplies M × K by K × N: matmul.wgsl's 64 × 64 tiles, or
 * for at most SMALL_MATMUL multiply-adds, matmul-small.wgsl's one output per
 * thread. Both give the same bits, so the choice changes only the time.
 */
function matmulLaunch(M: number, N: number, K: number, transposeB: boolean): { kernel: 'matmul' | 'matmulSmall'; constants: Constants; grid: [number, number] } {
  const constants = { TRANSPOSE_B: transposeB };
  if (M * N * K <= SMALL_MATMUL) return { kernel: 'matmulSmall', constants, grid: rowGrid(ceilDiv(M * N, ELEMENTS_PER_GROUP)) };
  return { kernel: 'matmul', constants, grid: [ceilDiv(N, MATMUL_TILE), ceilDiv(M, MATMUL_TILE)] };
}

/**
 * Which kernel runs attention for n queries over m keys: attention.wgsl's
 * workgroup per query row, or for at most SMALL_ATTENTION multiply-adds
 * (n · m · (d_k + d_v)), attention-small.wgsl's thread per row. Both give
 * the same bits, so the choice changes only the time.
 */
function attentionLaunch(n: number, m: number, dk: number, dv: number, stages: boolean): { kernel: 'attention' | 'attentionSmall'; constants: Constants; grid: [number, number] } {
  const constants = { WRITE_STAGES: stages };
  if (n * m * (dk + dv) <= SMALL_ATTENTION) return { kernel: 'attentionSmall', constants, grid: rowGrid(ceilDiv(n, ELEMENTS_PER_GROUP)) };
  return { kernel: 'attention', constants, grid: rowGrid(n) };
}

function matrixDims(t: Tensor): [number, number] {
  return [t.shape[0]!, t.shape[1]!];
}

function input(data: Float32Array | Uint32Array): Input {
  return { data, bytes: data.byteLength };
}

function placeholder(): Input {
  return { data: null, bytes: PLACEHOLDER_BYTES };
}

/** The masked scores a kernel wrote as NEG_MAX (shaders may not see infinities) back to −∞, in place. */
function unmaskInfinities(masked: Float32Array): Float32Array {
  for (let i = 0; i < masked.length; i++) if (masked[i]! <= NEG_MAX) masked[i] = -Infinity;
  return masked;
}

/** −∞ (a masked logit) as NEG_MAX, since shaders may not see infinities; copies only when needed. */
function toShaderFloats(data: Float32Array): Float32Array {
  if (!data.includes(-Infinity)) return data;
  return data.map((x) => (x === -Infinity ? NEG_MAX : x));
}

/**
 * The Params struct shared by attention.wgsl and flash.wgsl: 9 × 4 bytes,
 * padded to 48 (a uniform buffer's size is a multiple of 16). The ninth,
 * `zero`, stays 0: the kernels need a value the shader compiler cannot know.
 */
function attentionUniform(n: number, m: number, dk: number, dv: number, scale: number, mask: ReturnType<typeof encodeMask>): ArrayBuffer {
  const buffer = new ArrayBuffer(48);
  new Uint32Array(buffer, 0, 4).set([n, m, dk, dv]);
  new Float32Array(buffer, 16, 1)[0] = scale;
  new Uint32Array(buffer, 20, 3).set([mask.kind, mask.a, mask.b]);
  return buffer;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}
