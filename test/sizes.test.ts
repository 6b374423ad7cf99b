import { describe, expect, it } from 'vitest';
import { MODELS, formatBytes, formatCount, kvCacheBytes, scoreMatrixBytes } from '../src/lib/sizes';

describe('formatBytes', () => {
  it('uses binary units and drops trailing zeros', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1000)).toBe('1,000 B');
    expect(formatBytes(1024)).toBe('1 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(1.25 * 2 ** 30)).toBe('1.25 GiB');
    expect(formatBytes(320 * 1024)).toBe('320 KiB');
    expect(formatBytes(2 ** 41)).toBe('2 TiB');
  });
  it('writes every size as toLocaleString would, at 0, 1 or 2 decimals by its magnitude', () => {
    for (let e = 10; e <= 50; e += 0.37) {
      const bytes = Math.round(2 ** e);
      let value = bytes;
      let unit = 0;
      while (value >= 1024 && unit < 5) {
        value /= 1024;
        unit += 1;
      }
      const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
      const expected = Number(value.toFixed(digits)).toLocaleString('en-US', { maximumFractionDigits: digits });
      expect(formatBytes(bytes), String(bytes)).toBe(`${expected} ${['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'][unit]}`);
    }
  });
  it('refuses what is not a size', () => {
    expect(() => formatBytes(-1)).toThrow(RangeError);
    expect(() => formatBytes(Number.NaN)).toThrow(RangeError);
  });
});

describe('formatCount', () => {
  it('rounds to a whole number and writes it as toLocaleString would, with thousands separators', () => {
    expect(formatCount(9216)).toBe('9,216');
    expect(formatCount(1234.5)).toBe('1,235');
    expect(formatCount(0)).toBe('0');
    expect(formatCount(-2_000_000.4)).toBe('-2,000,000');
    for (let x = 0.3; x < 1e16; x *= 3.7) {
      for (const n of [x, -x]) expect(formatCount(n), String(n)).toBe(Math.round(n).toLocaleString('en-US'));
    }
  });
});

describe('the guide\'s check values (fp16)', () => {
  it('Llama 2 70B with grouped-query attention: 320 KiB a token, 1.25 GiB for 4,096', () => {
    expect(formatBytes(kvCacheBytes(MODELS.llama2_70b, 1))).toBe('320 KiB');
    expect(formatBytes(kvCacheBytes(MODELS.llama2_70b, 4096))).toBe('1.25 GiB');
  });
  it('the same model with 64 KV heads: 10 GiB for 4,096', () => {
    expect(formatBytes(kvCacheBytes({ ...MODELS.llama2_70b, kvHeads: 64 }, 4096))).toBe('10 GiB');
  });
  it('Llama 2 7B: 512 KiB a token, 2 GiB for 4,096', () => {
    expect(formatBytes(kvCacheBytes(MODELS.llama2_7b, 1))).toBe('512 KiB');
    expect(formatBytes(kvCacheBytes(MODELS.llama2_7b, 4096))).toBe('2 GiB');
  });
  it('batch and precision scale the cache linearly', () => {
    const one = kvCacheBytes(MODELS.llama2_7b, 100);
    expect(kvCacheBytes(MODELS.llama2_7b, 100, { batch: 3 })).toBe(3 * one);
    expect(kvCacheBytes(MODELS.llama2_7b, 100, { precision: 'fp32' })).toBe(2 * one);
  });
});

describe('score matrices', () => {
  it('grow with the square of the sequence length', () => {
    expect(formatBytes(scoreMatrixBytes(512, 'fp16'))).toBe('512 KiB');
    expect(formatBytes(scoreMatrixBytes(8192, 'fp16'))).toBe('128 MiB');
    expect(formatBytes(scoreMatrixBytes(131072, 'fp16'))).toBe('32 GiB');
    expect(formatBytes(scoreMatrixBytes(1048576, 'fp16'))).toBe('2 TiB');
    expect(scoreMatrixBytes(4, 'fp32', 6)).toBe(96);
  });
  it('GPT-3 has 9,216 attention patterns per token', () => {
    expect(formatCount(MODELS.gpt3_175b.layers * MODELS.gpt3_175b.heads)).toBe('9,216');
  });
});
