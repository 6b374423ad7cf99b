/** A readable adapter name from GPUAdapterInfo, which browsers may leave sparse on purpose. */
export function describeAdapter(info: Partial<Pick<GPUAdapterInfo, 'description' | 'vendor' | 'architecture' | 'device'>> | undefined): string {
  if (!info) return 'an unnamed adapter';
  const parts = [info.description, [info.vendor, info.architecture].filter(Boolean).join(' '), info.device]
    .map((part) => part?.trim())
    .filter((part): part is string => Boolean(part));
  return parts[0] ?? 'an unnamed adapter';
}

/**
 * The limits the kernels care about, raised to what the adapter offers.
 * A device gets only the spec's defaults unless it asks (Dawn: 16 KiB of
 * workgroup storage by default, 32 KiB on request on SwiftShader), and the
 * flash kernel's largest blocks depend on exactly these.
 */
const WANTED = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
] as const;

export function requestDeviceLimits(adapter: GPUAdapter): Record<string, number> {
  const limits: Record<string, number> = {};
  // A partial adapter (tests' fakes, unusual browsers) may lack limits.
  const offered = adapter.limits as Partial<GPUSupportedLimits> | undefined;
  for (const name of WANTED) {
    const value = offered?.[name];
    if (typeof value === 'number') limits[name] = value;
  }
  return limits;
}
