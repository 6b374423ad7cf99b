import { describe, expect, it } from 'vitest';
import { DEFAULT_MEMORY_BUDGET_BYTES } from '@attention-guide/attention';
import { gflops, naiveBytes, passFlops, plan, resultsJson } from '../src/islands/bench/bench';

describe('the benchmark’s arithmetic', () => {
  it('counts 4·N²·d operations a pass and the untiled pass’s bytes as the engine does', () => {
    expect(passFlops(1024, 32)).toBe(4 * 1024 * 1024 * 32);
    expect(naiveBytes(128, 32)).toBe(4 * (128 * 32 + 128 * 128));
    expect(gflops(2e9, 1000)).toBe(2);
  });
  it('plans the sizes up to the limit and marks where the untiled pass exceeds a 1 GiB budget', () => {
    expect(plan(DEFAULT_MEMORY_BUDGET_BYTES, 256).map((p) => p.n)).toEqual([128, 256]);
    const all = plan(DEFAULT_MEMORY_BUDGET_BYTES, 16384);
    expect(all.filter((p) => !p.naiveFits).map((p) => p.n)).toEqual([16384]);
  });
  it('writes JSON that parses back', () => {
    const row = { n: 128, naiveMs: 1, naiveGflops: 2, naiveRefused: null, flashMs: 3, flashGflops: 0.7, difference: 1e-7, backend: 'cpu' as const };
    expect(JSON.parse(resultsJson('cpu: forced', [row])).results).toEqual([row]);
  });
});
