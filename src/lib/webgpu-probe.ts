/**
 * Finds out, without computing anything, where the guide's demos can run:
 * on a WebGPU adapter if the browser offers one, otherwise on the CPU. The
 * answer names the adapter, or says why there is none.
 */
export type ComputeTarget =
  | { kind: 'webgpu'; adapter: string; software: boolean }
  | { kind: 'cpu'; reason: string };

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface AdapterLike {
  info?: AdapterInfoLike;
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(): Promise<AdapterLike | null>;
}

/** A readable adapter name from GPUAdapterInfo, which may be sparse by design. */
export function describeAdapter(info: AdapterInfoLike | undefined): string {
  if (!info) return 'an unnamed adapter';
  const parts = [info.description, [info.vendor, info.architecture].filter(Boolean).join(' '), info.device]
    .map((part) => part?.trim())
    .filter((part): part is string => Boolean(part));
  return parts[0] ?? 'an unnamed adapter';
}

export async function probeComputeTarget(gpu: GpuLike | undefined = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu): Promise<ComputeTarget> {
  if (!gpu) return { kind: 'cpu', reason: 'this browser does not offer WebGPU' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { kind: 'cpu', reason: 'WebGPU is present but offered no adapter' };
    const software = Boolean(adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter);
    return { kind: 'webgpu', adapter: describeAdapter(adapter.info), software };
  } catch (error) {
    return { kind: 'cpu', reason: `the WebGPU adapter request failed (${error instanceof Error ? error.message : String(error)})` };
  }
}
