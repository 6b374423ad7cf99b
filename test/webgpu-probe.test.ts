import { describe, expect, it } from 'vitest';
import { describeAdapter, probeComputeTarget } from '../src/lib/webgpu-probe';

describe('probeComputeTarget', () => {
  it('falls to the CPU when the browser has no WebGPU', async () => {
    expect(await probeComputeTarget(undefined)).toEqual({ kind: 'cpu', reason: 'this browser does not offer WebGPU' });
  });
  it('falls to the CPU when no adapter is offered', async () => {
    expect(await probeComputeTarget({ requestAdapter: async () => null })).toEqual({
      kind: 'cpu',
      reason: 'WebGPU is present but offered no adapter',
    });
  });
  it('reports a failed adapter request with its message', async () => {
    const target = await probeComputeTarget({
      requestAdapter: () => Promise.reject(new Error('GPU process crashed')),
    });
    expect(target).toEqual({ kind: 'cpu', reason: 'the WebGPU adapter request failed (GPU process crashed)' });
  });
  it('names the adapter and flags a software one', async () => {
    const target = await probeComputeTarget({
      requestAdapter: async () => ({ info: { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true } }),
    });
    expect(target).toEqual({ kind: 'webgpu', adapter: 'google swiftshader', software: true });
  });
});

describe('describeAdapter', () => {
  it('prefers the description, then vendor and architecture, then the device', () => {
    expect(describeAdapter({ description: 'NVIDIA H100', vendor: 'nvidia' })).toBe('NVIDIA H100');
    expect(describeAdapter({ vendor: 'apple', architecture: 'metal-3' })).toBe('apple metal-3');
    expect(describeAdapter({ device: '0x1234' })).toBe('0x1234');
    expect(describeAdapter({})).toBe('an unnamed adapter');
    expect(describeAdapter(undefined)).toBe('an unnamed adapter');
  });
});
