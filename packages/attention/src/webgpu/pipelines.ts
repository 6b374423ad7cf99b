import { SHADER_STAGE_COMPUTE } from './constants';
import { KERNELS, type KernelName } from './kernels';
import { GpuFailure } from './failure';

export type Constants = Record<string, number | boolean>;

/**
 * Compiled pipelines, one per kernel and set of pipeline constants, made once
 * and reused for every later call with the same key. A failed compile is not
 * cached, so the error reaches every caller that asks for it.
 */
export class PipelineCache {
  readonly #device: GPUDevice;
  readonly #modules = new Map<KernelName, GPUShaderModule>();
  readonly #layouts = new Map<KernelName, GPUBindGroupLayout>();
  readonly #pipelines = new Map<string, Promise<GPUComputePipeline>>();
  /** Text appended to every kernel; the fault-injection hook sets it to invalid WGSL. */
  readonly #sourceSuffix: string;

  constructor(device: GPUDevice, sourceSuffix = '') {
    this.#device = device;
    this.#sourceSuffix = sourceSuffix;
  }

  /** How many pipelines exist (tests check that repeated calls add none). */
  get size(): number {
    return this.#pipelines.size;
  }

  layout(kernel: KernelName): GPUBindGroupLayout {
    let layout = this.#layouts.get(kernel);
    if (!layout) {
      layout = this.#device.createBindGroupLayout({
        label: kernel,
        entries: KERNELS[kernel].bindings.map((type, binding) => ({
          binding,
          visibility: SHADER_STAGE_COMPUTE,
          buffer: { type },
        })),
      });
      this.#layouts.set(kernel, layout);
    }
    return layout;
  }

  get(kernel: KernelName, constants: Constants): Promise<GPUComputePipeline> {
    const key = `${kernel}${JSON.stringify(constants)}`;
    let pipeline = this.#pipelines.get(key);
    if (!pipeline) {
      pipeline = this.#create(kernel, constants);
      this.#pipelines.set(key, pipeline);
      pipeline.catch(() => this.#pipelines.delete(key));
    }
    return pipeline;
  }

  async #create(kernel: KernelName, constants: Constants): Promise<GPUComputePipeline> {
    const device = this.#device;
    let module = this.#modules.get(kernel);
    const numeric: Record<string, number> = {};
    for (const [name, value] of Object.entries(constants)) numeric[name] = Number(value);
    // Push and pop without an await in between: error scopes are a stack per
    // device, and an await would let another call's scope interleave.
    device.pushErrorScope('validation');
    if (!module) {
      module = device.createShaderModule({ label: kernel, code: KERNELS[kernel].source + this.#sourceSuffix });
      this.#modules.set(kernel, module);
    }
    const layout = device.createPipelineLayout({ bindGroupLayouts: [this.layout(kernel)] });
    const pending = device.createComputePipelineAsync({
      label: kernel,
      layout,
      compute: { module, entryPoint: 'main', constants: numeric },
    });
    const scope = device.popErrorScope();
    const [pipeline, scopeError] = await Promise.allSettled([pending, scope]);
    if (pipeline.status === 'fulfilled' && scopeError.status === 'fulfilled' && scopeError.value === null) {
      return pipeline.value;
    }
    // The compiler's own messages say more than the pipeline error does.
    const info = await module.getCompilationInfo().catch(() => null);
    const first = info?.messages.find((m) => m.type === 'error');
    this.#modules.delete(kernel);
    const fallback =
      pipeline.status === 'rejected'
        ? String(pipeline.reason instanceof Error ? pipeline.reason.message : pipeline.reason)
        : scopeError.status === 'fulfilled'
          ? (scopeError.value?.message ?? 'unknown error')
          : String(scopeError.reason);
    const detail = first ? `${first.message} (line ${first.lineNum})` : fallback;
    throw new GpuFailure('compile', `a WebGPU shader (${kernel}) failed to compile: ${detail}`);
  }
}
