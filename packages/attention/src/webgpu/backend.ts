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
      kernel: 'matmul',
      constants: { TRANSPOSE_B: transposeB },
      uniform,
      inputs: [input(a.data), input(b.data)],
      outputs: [{ bytes: 4 * M * N, read: true }],
      grid: [ceilDiv(N, MATMUL_TILE), ceilDiv(M, MATMUL_TILE)],
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
      kernel: 'attention',
      constants: { WRITE_STAGES: stages },
      uniform: attentionUniform(n, m, dk, dv, scale, mask),
      inputs: [input(q.data), input(k.data), input(v.data), mask.bits ? input(mask.bits) : placeholder()],
      outputs: [
        { bytes: 4 * n * m, read: stages },
        { bytes: 4 * n * dv, read: true },
        { bytes: stages ? 4 * 3 * n * m : PLACEHOLDER_BYTES, read: stages },
      ],
      grid: rowGrid(n),
    });
    const result: AttentionResult = { output: { data: output!, shape: [n, dv] } };
    if (stages) {
      const plane = n * m;
      const all = planes!;
      const masked = all.slice(2 * plane, 3 * plane);
      for (let i = 0; i < masked.length; i++) if (masked[i]! <= NEG_MAX) masked[i] = -Infinity;
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
    const largest = Math.max(...sizes);
    if (largest > this.#maxBinding) {
      throw new GpuFailure('too-large', `a ${largest}-byte buffer exceeds this WebGPU device's ${this.#maxBinding}-byte limit`);
    }
    const maxGroups = this.#device.limits.maxComputeWorkgroupsPerDimension;
    if (launch.grid[0] > maxGroups || launch.grid[1] > maxGroups) {
      throw new GpuFailure('too-large', `the problem needs more workgroups than this WebGPU device can dispatch`);
    }
    const pipeline = await this.#pipelines.get(launch.kernel, launch.constants);
    this.#checkUsable();

    const device = this.#device;
    const pool = this.#pool;
    const used: GPUBuffer[] = [];
    const staging: (GPUBuffer | null)[] = [];
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
      try {
        const uniform = take(launch.uniform.byteLength, UNIFORM);
        device.queue.writeBuffer(uniform, 0, launch.uniform);
        const inputs = launch.inputs.map((i) => {
          const b = take(i.bytes, STORAGE);
          if (i.data) device.queue.writeBuffer(b, 0, i.data);
          return b;
        });
        const outputs = launch.outputs.map((o) => take(o.bytes, STORAGE));
        const bindGroup = device.createBindGroup({
          layout: this.#pipelines.layout(launch.kernel),
          entries: [uniform, ...inputs, ...outputs].map((buffer, binding) => ({ binding, resource: { buffer } })),
        });
        const encoder = device.createCommandEncoder();
        const pass = encoder.beginComputePass();
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, bindGroup);
        pass.dispatchWorkgroups(launch.grid[0], launch.grid[1]);
        pass.end();
        launch.outputs.forEach((o, i) => {
          let s: GPUBuffer | null = null;
          if (o.read) {
            s = take(o.bytes, STAGING);
            encoder.copyBufferToBuffer(outputs[i]!, 0, s, 0, o.bytes);
          }
          staging.push(s);
        });
        device.queue.submit([encoder.finish()]);
      } finally {
        const validation = device.popErrorScope();
        const oom = device.popErrorScope();
        scopes = Promise.all([validation, oom]);
      }
      this.#calls++;
      const lose = this.#faults.loseDeviceAfterCalls;
      if (lose !== undefined && this.#calls > lose) device.destroy();

      const maps = Promise.all(staging.map((s) => s?.mapAsync(MAP_MODE_READ)));
      const [scopeResult, mapResult] = await Promise.allSettled([scopes, maps]);
      if (scopeResult.status === 'rejected') throw scopeResult.reason;
      const [validationError, oomError] = scopeResult.value;
      if (oomError) throw new GpuFailure('out-of-memory', `the WebGPU device ran out of memory: ${oomError.message}`);
      if (validationError) throw new GpuFailure('validation', `the WebGPU device rejected a command: ${validationError.message}`);
      if (mapResult.status === 'rejected') throw mapResult.reason;
      const results = launch.outputs.map((o, i) => {
        const s = staging[i];
        if (!s) return new Float32Array(0);
        // Copy out: the mapped range is detached by unmap().
        const data = new Float32Array(s.getMappedRange(0, o.bytes).slice(0));
        s.unmap();
        return data;
      });
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

function matrixDims(t: Tensor): [number, number] {
  return [t.shape[0]!, t.shape[1]!];
}

function input(data: Float32Array | Uint32Array): Input {
  return { data, bytes: data.byteLength };
}

function placeholder(): Input {
  return { data: null, bytes: PLACEHOLDER_BYTES };
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
