import { describe, expect, it } from 'vitest';
import { createEngine } from '@attention-guide/attention';
import { DEVICES, MODELS, formatBytes } from '../src/lib/sizes';
import { DEFAULT_COST, LENGTH_MAX, LENGTH_MIN, SLIDER_STEPS, costOf, lengthAt, parseWhole, positionOf, scientific } from '../src/islands/cost/cost';
import { D_MODEL, HEAD_WIDTH, QUERY_HEADS, TOKENS, cacheOf, kvRun, parseCache, poolHeads, presetSetting } from '../src/islands/cost/kv';

describe('the devices', () => {
  it('carry their memory in binary bytes and a source', () => {
    expect(formatBytes(DEVICES.phone.bytes)).toBe('8 GiB');
    expect(formatBytes(DEVICES.laptop.bytes)).toBe('16 GiB');
    expect(formatBytes(DEVICES.gpu.bytes)).toBe('80 GiB');
    for (const d of Object.values(DEVICES)) expect(d.source.length).toBeGreaterThan(20);
  });
});

describe('the cost of n²', () => {
  it('gives the chapter’s worked example: Llama 2 7B’s shape at 8,192 tokens in fp16 is 128 MiB a matrix and 128 GiB in all', () => {
    const cost = costOf(DEFAULT_COST);
    expect(DEFAULT_COST).toMatchObject({ heads: MODELS.llama2_7b.heads, layers: MODELS.llama2_7b.layers });
    expect(formatBytes(cost.perHead)).toBe('128 MiB');
    expect(formatBytes(cost.perLayer)).toBe('4 GiB');
    expect(formatBytes(cost.model)).toBe('128 GiB');
    expect(cost.qkMacs).toBe(8192 * 8192 * 128);
    expect(cost.modelMacs).toBe(2 * 8192 * 8192 * 128 * 32 * 32);
  });
  it('finds the first length past each device’s memory', () => {
    const cost = costOf(DEFAULT_COST);
    for (const [key, device] of Object.entries(DEVICES)) {
      const n = cost.limits[key as keyof typeof DEVICES].model!;
      const per = 32 * 32 * 2;
      expect(per * n * n).toBeGreaterThan(device.bytes);
      expect(per * (n - 1) * (n - 1)).toBeLessThanOrEqual(device.bytes);
    }
    // 8 GiB / (1,024 matrices × 2 bytes) = 2^22 entries: 2,048², so 2,049 is the first length over.
    expect(cost.limits.phone.model).toBe(2049);
    // One fp8 head in one layer fits an H100 up to n = 2^17 · √5 ≈ 293,085.9 and exceeds it beyond.
    expect(costOf({ n: 512, heads: 1, layers: 1, headDim: 64, precision: 'fp8' }).limits.gpu.model).toBe(293_086);
    expect(costOf({ n: 512, heads: 1, layers: 1, headDim: 64, precision: 'fp8' }).limits.phone.model).toBe(92_682);
  });
  it('maps the slider to lengths from 512 to 1,048,576 and back', () => {
    expect(lengthAt(0)).toBe(LENGTH_MIN);
    expect(lengthAt(SLIDER_STEPS)).toBe(LENGTH_MAX);
    expect(positionOf(8192)).toBe(16);
    expect(lengthAt(positionOf(8192))).toBe(8192);
    expect(positionOf(1)).toBe(0);
    expect(positionOf(1e9)).toBe(SLIDER_STEPS);
  });
  it('reads typed numbers and refuses the rest with a message', () => {
    expect(parseWhole('8,192', 'n', 512, LENGTH_MAX)).toEqual({ ok: true, value: 8192 });
    expect(parseWhole(' 1 048 576 ', 'n', 512, LENGTH_MAX)).toEqual({ ok: true, value: 1_048_576 });
    for (const bad of ['', 'abc', '1e5', '-3', '2.5', '100', '2000000']) {
      const parsed = parseWhole(bad, 'The length n', 512, LENGTH_MAX);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.message).toMatch(/^The length n must be/);
    }
  });
  it('writes large counts with three significant figures', () => {
    expect(scientific(999_999)).toEqual({ mantissa: '999,999', exponent: 0 });
    expect(scientific(8192 * 8192 * 128)).toEqual({ mantissa: '8.59', exponent: 9 });
    expect(scientific(9_996_000)).toEqual({ mantissa: '1', exponent: 7 });
  });
});

describe('the KV-cache calculator', () => {
  const fields = (s: ReturnType<typeof presetSetting>) => ({ layers: String(s.layers), kvHeads: String(s.kvHeads), headDim: String(s.headDim), tokens: String(s.tokens), batch: String(s.batch) });
  it('gives the guide’s check values (fp16)', () => {
    const seventy = cacheOf(presetSetting('llama2_70b'));
    expect(formatBytes(seventy.perToken)).toBe('320 KiB');
    expect(formatBytes(seventy.total)).toBe('1.25 GiB');
    expect(seventy.total).toBe(1_342_177_280);
    expect(formatBytes(cacheOf(presetSetting('llama2_70b_mha')).total)).toBe('10 GiB');
    const seven = cacheOf(presetSetting('llama2_7b'));
    expect(formatBytes(seven.perToken)).toBe('512 KiB');
    expect(formatBytes(seven.total)).toBe('2 GiB');
  });
  it('reads the fields, and refuses bad or oversized ones with a message', () => {
    const good = parseCache(fields(presetSetting('llama2_70b')), 'fp16');
    expect(good.ok && cacheOf(good.setting).total).toBe(1_342_177_280);
    const bad = parseCache({ ...fields(presetSetting('llama2_70b')), tokens: 'lots' }, 'fp16');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toMatch(/^Tokens must be/);
    const huge = parseCache({ layers: '1024', kvHeads: '1024', headDim: '1024', tokens: '10000000', batch: '4096' }, 'fp32');
    expect(huge.ok).toBe(false);
    if (!huge.ok) expect(huge.message).toMatch(/too large/);
  });
});

describe('heads sharing keys and values', () => {
  it('mean-pools each group’s key or value columns', () => {
    const w = { data: Float32Array.from({ length: D_MODEL * D_MODEL }, (_, i) => i % D_MODEL), shape: [D_MODEL, D_MODEL] };
    const one = poolHeads(w, 1);
    expect(one.shape).toEqual([D_MODEL, HEAD_WIDTH]);
    // Column c of the single head is the mean of c, c + 4, …, c + 28.
    expect(Array.from(one.data.subarray(0, HEAD_WIDTH))).toEqual([14, 15, 16, 17]);
    expect(poolHeads(w, QUERY_HEADS).data).toEqual(w.data);
  });
  it('runs on the engine: rows of weights sum to 1, and sharing moves the output from multi-head’s', async () => {
    const engine = await createEngine({ prefer: 'cpu' });
    const full = await kvRun(engine, 8);
    const one = await kvRun(engine, 1);
    engine.dispose();
    expect(full.maxDiff).toBe(0);
    expect(one.maxDiff).toBeGreaterThan(1e-3);
    for (const run of [full, one]) {
      expect(run.lastRow).toHaveLength(QUERY_HEADS * TOKENS);
      for (let h = 0; h < QUERY_HEADS; h++) {
        const sum = run.lastRow.slice(h * TOKENS, (h + 1) * TOKENS).reduce((a, b) => a + b, 0);
        expect(sum).toBeCloseTo(1, 5);
      }
    }
    await expect(kvRun(engine, 3)).rejects.toThrow(RangeError);
  });
});
