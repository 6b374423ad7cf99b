import { describe, expect, it } from 'vitest';
import { createEngine } from '@attention-guide/attention';
import { DEFAULT_RING, parseSetting, ringMemory, ringView, seenMask } from '../src/islands/ring/ring';

describe('parseSetting', () => {
  const raw = (devices: string, tokens = '24', width = '4') => ({ devices, tokens, width });
  it('accepts whole numbers in range with P dividing N', () => {
    expect(parseSetting(raw('4'), 5)).toEqual({ ok: true, setting: { devices: 4, tokens: 24, width: 4, seed: 5 } });
    expect(parseSetting(raw(' 8 ', '48', '8'), 1)).toEqual({ ok: true, setting: { devices: 8, tokens: 48, width: 8, seed: 1 } });
  });
  it('refuses non-numbers, out-of-range values, P larger than N and P not dividing N, with a message', () => {
    for (const bad of [raw('four'), raw(''), raw('2.5'), raw('-2'), raw('1'), raw('9'), raw('4', '60'), raw('4', '24', '0'), raw('5'), raw('7', '20')]) {
      const parsed = parseSetting(bad, 5);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.message.length).toBeGreaterThan(10);
    }
    const larger = parseSetting(raw('8', '4'), 5);
    expect(larger.ok).toBe(false);
    if (!larger.ok) expect(larger.message).toContain('at least 8 tokens');
  });
});

describe('ringMemory', () => {
  it('counts a device’s Q block, the K/V block it holds, the one in flight, its output and two statistics per row', () => {
    // N = 24, d = 4, P = 4: blocks of 6 rows, fp32.
    const memory = ringMemory(24, 4, 4);
    expect(memory.device).toEqual({ queries: 96, held: 192, inFlight: 192, output: 96, statistics: 48, total: 624 });
    expect(memory.single).toEqual({ queries: 384, keysValues: 768, output: 384, total: 1536 });
  });
  it('shrinks per device as P grows, while one device holds 4·N·d elements', () => {
    const n = 1 << 20;
    const eight = ringMemory(n, 128, 8, 2);
    expect(eight.single.total).toBe(4 * n * 128 * 2);
    expect(eight.device.total).toBe((6 * (n / 8) * 128 + 2 * (n / 8)) * 2);
    expect(ringMemory(n, 128, 2, 2).device.total).toBeGreaterThan(eight.device.total);
  });
});

describe('ringView', () => {
  it('follows the engine: every round passes each block to the next device, the result equals full attention, and the last round has seen every key', async () => {
    const engine = await createEngine({ prefer: 'cpu' });
    const view = await ringView(engine, DEFAULT_RING);
    const P = DEFAULT_RING.devices;
    expect(view.holdings).toHaveLength(P);
    for (let s = 0; s + 1 < P; s++) {
      for (let p = 0; p < P; p++) expect(view.holdings[s + 1]![(p + 1) % P]).toBe(view.holdings[s]![p]);
      expect(view.sends[s]).toEqual(view.holdings[s]!.map((block, p) => [p, (p + 1) % P, block]));
    }
    expect(view.sends[P - 1]).toEqual([]);
    expect(view.ringGap).toBeLessThan(1e-5);
    expect(Math.max(...view.gaps[P - 1]!)).toBeLessThan(1e-5);
    expect(Math.max(...view.gaps[0]!)).toBeGreaterThan(1e-3);
    expect(seenMask(view, P - 1, DEFAULT_RING.tokens).every((x) => x === 1)).toBe(true);
    // The engine's count is this file's, in elements, plus one row of scores (one block wide).
    const block = DEFAULT_RING.tokens / P;
    expect(view.engineDeviceElements).toBe(ringMemory(DEFAULT_RING.tokens, DEFAULT_RING.width, P, 1).device.total + block);
    engine.dispose();
  });
});
