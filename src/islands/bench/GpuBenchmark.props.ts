/** The GPU benchmark's props, for its figure (GpuBenchmark.astro) and its custom element (/embed/gpu-benchmark/props.json). */
import { DEFAULT_MEMORY_BUDGET_BYTES } from '@attention-guide/attention';

export async function props() {
  return { budget: DEFAULT_MEMORY_BUDGET_BYTES };
}
