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
import { batchResult, type Batch, type BatchNode, type BatchResult } from '../batch';

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
  /** Kernels dispatched, over all calls. */
  dispatches: number;
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

/** Bytes to read back from a buffer, from `offset` (default 0). */
interface Readback {
  buffer: GPUBuffer;
  offset?: number;
  bytes: number;
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
  #dispatches = 0;
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
      dispatches: this.#dispatches,
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
   * A batch (batch.ts) as one submission, and the values asked for back in
   * one readback. Every op that computes is one dispatch into a buffer of
   * its own, with three exceptions that save copies (each a dispatch, which
   * on a software adapter costs more than a small model's arithmetic):
   * columns are views of their source's buffer, read in place by attention
   * and by the copies of a concatenation; inputs whose only uses are places
   * in row concatenations are written straight into them (planPlaces); and a
   * head's output whose only use is a concatenation of columns is written
   * straight into its columns.
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

    const { inPlace, into } = planPlaces(batch);

    const outputs = await this.#submit((take, pass) => {
      const device = this.#device;
      // Where each value is: its own buffer (dense), or for columns, a view of its source's.
      const places: Place[] = [];
      // The buffers of column concatenations that some head writes its output into before the concat's own turn.
      const early = new Map<number, GPUBuffer>();
      const concatBuffer = (id: number): GPUBuffer => {
        let b = early.get(id);
        if (!b) early.set(id, (b = take(bytesOf(id), STORAGE)));
        return b;
      };
      const own = (id: number, buffer = take(bytesOf(id), STORAGE)): GPUBuffer => {
        places[id] = { buffer, ...dense(nodes[id]!.shape[1]) };
        return buffer;
      };
      const uniform = (data: ArrayBuffer): GPUBuffer => {
        const b = take(data.byteLength, UNIFORM);
        device.queue.writeBuffer(b, 0, data);
        return b;
      };
      const copy = (rows: number, width: number, src: Place, dst: GPUBuffer, dstStride: number, dstOffset: number): void => {
        const params = uniform(new Uint32Array([rows, width, src.stride, src.offset, dstStride, dstOffset, 0, 0]).buffer);
        this.#dispatch(pass, 'copy', copyPipeline!, [params, src.buffer, dst], rowGrid(ceilDiv(rows * width, ELEMENTS_PER_GROUP)));
      };
      /** Value id's buffer, holding it densely: a view is copied out into a buffer of its own the first time an op needs it so. */
      const denseBuffer = (id: number): GPUBuffer => {
        const place = places[id]!;
        const [rows, cols] = nodes[id]!.shape;
        if (place.offset === 0 && (place.stride === cols || rows === 1)) return place.buffer;
        const out = own(id);
        copy(rows, cols, place, out, cols, 0);
        return out;
      };
      for (const [id, node] of nodes.entries()) {
        const [rows, cols] = node.shape;
        const pipeline = pipelines[id]!; // null for inputs, which dispatch nothing
        const grid = launches[id]?.grid ?? [1, 1];
        switch (node.op) {
          case 'weights':
          case 'stages':
            break; // their buffers came with their attention node
          case 'input':
            // An input whose only uses are places in row concatenations is written there, with no buffer of its own.
            if (!inPlace.has(id)) device.queue.writeBuffer(own(id), 0, node.data);
            break;
          case 'matmul': {
            const inner = nodes[node.a]!.shape[1];
            this.#dispatch(pass, launches[id]!.kernel, pipeline, [uniform(new Uint32Array([rows, cols, inner, 0]).buffer), denseBuffer(node.a), denseBuffer(node.b), own(id)], grid);
            break;
          }
          case 'attention': {
            const [, dk] = nodes[node.q]!.shape;
            const [m] = nodes[node.k]!.shape;
            const mask = encodeMask(node.mask);
            const bits = take(mask.bits ? mask.bits.byteLength : PLACEHOLDER_BYTES, STORAGE);
            if (mask.bits) device.queue.writeBuffer(bits, 0, mask.bits);
            const weights = own(id + 1);
            const planes = node.stages ? own(id + 2) : take(PLACEHOLDER_BYTES, STORAGE);
            // The output goes straight into its columns of a concatenation, when that is its only use.
            const target = into.get(id);
            if (target) places[id] = { buffer: concatBuffer(target.concat), stride: nodes[target.concat]!.shape[1], offset: target.column };
            else own(id);
            const [q, k, v, o] = [places[node.q]!, places[node.k]!, places[node.v]!, places[id]!];
            const params = uniform(attentionUniform(rows, m, dk, cols, node.scale, mask, { q, k, v, o }));
            this.#dispatch(pass, launches[id]!.kernel, pipeline, [params, q.buffer, k.buffer, v.buffer, bits, weights, o.buffer, planes], grid);
            break;
          }
          case 'layerNorm': {
            const params = new ArrayBuffer(16);
            new Uint32Array(params, 0, 2).set([rows, cols]);
            new Float32Array(params, 8, 1)[0] = node.epsilon;
            this.#dispatch(pass, 'layernorm', pipeline, [uniform(params), denseBuffer(node.x), denseBuffer(node.gain), denseBuffer(node.bias), own(id)], grid);
            break;
          }
          case 'add': {
            const [bRows, bCols] = nodes[node.b]!.shape;
            this.#dispatch(pass, 'add', pipeline, [uniform(new Uint32Array([rows * cols, bRows * bCols, 0, 0]).buffer), denseBuffer(node.a), denseBuffer(node.b), own(id)], grid);
            break;
          }
          case 'gelu':
            this.#dispatch(pass, 'gelu', pipeline, [uniform(new Uint32Array([rows * cols, 0, 0, 0]).buffer), denseBuffer(node.x), own(id)], grid);
            break;
          case 'columns': {
            // A view: no copy until an op needs the columns on their own (denseBuffer).
            const source = places[node.x]!;
            places[id] = { buffer: source.buffer, stride: source.stride, offset: source.offset + node.from };
            break;
          }
          case 'concat': {
            const out = own(id, early.get(id) ?? take(bytesOf(id), STORAGE));
            let at = 0;
            for (const part of node.parts) {
              const [partRows, partCols] = nodes[part]!.shape;
              const partNode = nodes[part]!;
              if (inPlace.has(part) && partNode.op === 'input') device.queue.writeBuffer(out, 4 * at * cols, partNode.data);
              else if (into.get(part)?.concat !== id) {
                if (node.axis === 'rows') copy(partRows, partCols, places[part]!, out, cols, at * cols);
                else copy(partRows, partCols, places[part]!, out, cols, at);
              }
              at += node.axis === 'rows' ? partRows : partCols;
            }
            break;
          }
        }
      }
      // A view whose rows lie end to end (one row, or all its source's columns) is read where it is; any other is copied out first.
      return batch.reads.map((id) => {
        const place = places[id]!;
        const [rows, cols] = nodes[id]!.shape;
        if (rows === 1 || place.stride === cols) return { buffer: place.buffer, offset: 4 * place.offset, bytes: bytesOf(id) };
        return { buffer: denseBuffer(id), offset: 0, bytes: bytesOf(id) };
      });
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
    this.#dispatches++;
  }

  /**
   * Encodes some work, submits it and reads back what it returns (null: a
   * placeholder read as an empty array), all inside error scopes, through one
   * staging buffer and one map. Buffers taken with `take` go back to the pool
   * once the readback is done, or are destroyed if anything failed.
   */
  async #submit(encode: (take: (bytes: number, usage: number) => GPUBuffer, pass: GPUComputePassEncoder) => (Readback | null)[]): Promise<Float32Array[]> {
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
      let reads: (Readback | null)[];
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
            if (r) encoder.copyBufferToBuffer(r.buffer, r.offset ?? 0, staging!, offsets[i]!, r.bytes);
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

/** Where a batch value is on the device: row r starts at element offset + r · stride of buffer. */
interface Place extends Layout {
  buffer: GPUBuffer;
}

/** The values each node of a batch reads. */
function operandsOf(node: BatchNode): number[] {
  switch (node.op) {
    case 'input':
      return [];
    case 'matmul':
    case 'add':
      return [node.a, node.b];
    case 'attention':
      return [node.q, node.k, node.v];
    case 'weights':
    case 'stages':
      return []; // written by their attention node, not read from it
    case 'layerNorm':
      return [node.x, node.gain, node.bias];
    case 'gelu':
    case 'columns':
      return [node.x];
    case 'concat':
      return node.parts;
  }
}

/**
 * Copies a batch can leave out on WebGPU, where a small model's step is
 * mostly dispatches: the inputs whose only uses are places in row
 * concatenations (cached keys and values, stacked above the new ones), which
 * are written straight into them; and the attention outputs whose only use
 * is one concatenation of columns (the heads side by side, before W_O),
 * which the kernel writes straight into their columns. A value read back is
 * always kept whole.
 */
function planPlaces(batch: Batch): { inPlace: Set<number>; into: Map<number, { concat: number; column: number }> } {
  const { nodes } = batch;
  const uses = nodes.map(() => [] as number[]);
  for (const [id, node] of nodes.entries()) for (const operand of operandsOf(node)) uses[operand]!.push(id);
  const read = new Set(batch.reads);
  const inRowStack = (user: number) => {
    const u = nodes[user]!;
    return u.op === 'concat' && u.axis === 'rows';
  };
  const inPlace = new Set<number>();
  for (const [id, node] of nodes.entries()) {
    if (node.op === 'input' && !read.has(id) && uses[id]!.every(inRowStack)) inPlace.add(id);
  }
  const into = new Map<number, { concat: number; column: number }>();
  for (const [id, node] of nodes.entries()) {
    if (node.op !== 'concat' || node.axis !== 'columns') continue;
    let column = 0;
    for (const part of node.parts) {
      if (nodes[part]!.op === 'attention' && !read.has(part) && uses[part]!.length === 1) into.set(part, { concat: id, column });
      column += nodes[part]!.shape[1];
    }
  }
  return { inPlace, into };
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

/** Where a matrix's rows are in its buffer: row r starts at element offset + r · stride. */
interface Layout {
  stride: number;
  offset: number;
}

/**
 * The Params struct shared by attention.wgsl and flash.wgsl
 * (attention-inputs.wgsl): 17 × 4 bytes, padded to 80 (a uniform buffer's
 * size is a multiple of 16). The ninth, `zero`, stays 0: the kernels need a
 * value the shader compiler cannot know. Then each of Q, K, V and O's row
 * stride and first element: dense unless `layouts` says otherwise.
 */
function attentionUniform(n: number, m: number, dk: number, dv: number, scale: number, mask: ReturnType<typeof encodeMask>, layouts?: { q: Layout; k: Layout; v: Layout; o: Layout }): ArrayBuffer {
  const buffer = new ArrayBuffer(80);
  new Uint32Array(buffer, 0, 4).set([n, m, dk, dv]);
  new Float32Array(buffer, 16, 1)[0] = scale;
  new Uint32Array(buffer, 20, 3).set([mask.kind, mask.a, mask.b]);
  const { q, k, v, o } = layouts ?? { q: dense(dk), k: dense(dk), v: dense(dv), o: dense(dv) };
  new Uint32Array(buffer, 36, 8).set([q.stride, q.offset, k.stride, k.offset, v.stride, v.offset, o.stride, o.offset]);
  return buffer;
}

function dense(cols: number): Layout {
  return { stride: cols, offset: 0 };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}
