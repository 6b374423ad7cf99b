import { describe, expect, it } from 'vitest';
import { createEngine } from '@attention-guide/attention';
import { boundPoints, crossover, DEFAULT_SETTING, finalOutputs, parseSetting, trace } from '../src/islands/flash/tiles';

const raw = (over: Partial<Record<'n' | 'd' | 'blockRows' | 'blockCols' | 'seed', string>> = {}) => ({ n: '16', d: '4', blockRows: '4', blockCols: '4', seed: '1', ...over });

describe('the FlashAttention tiles demo', () => {
  it('reads a good problem and refuses bad ones, naming the field', () => {
    expect(parseSetting(raw({ n: ' 24 ', blockCols: '24' }))).toEqual({ ok: true, value: { n: 24, d: 4, blockRows: 4, blockCols: 24, seed: 1 } });
    const refused = (over: Parameters<typeof raw>[0]) => {
      const parsed = parseSetting(raw(over));
      return parsed.ok ? '' : parsed.message;
    };
    expect(refused({ d: 'four' })).toMatch(/^d must be a whole number from 1 to 8; “four” is not/);
    expect(refused({ blockRows: '17' })).toMatch(/^B_r must be a whole number from 1 to 16 \(a block of query rows/);
    expect(refused({ blockCols: '0' })).toMatch(/^B_c must be/);
    expect(refused({ n: '64' })).toMatch(/^N must be a whole number from 2 to 32/);
    expect(refused({ seed: '1.5' })).toMatch(/^The seed/);
    expect(refused({ n: '' })).toMatch(/^N must be/);
  });

  it('traces the default problem in 16 blocks and ends on the engine’s outputs and traffic', async () => {
    const steps = trace(DEFAULT_SETTING);
    expect(steps).toHaveLength(16);
    const engine = await createEngine({ prefer: 'cpu' });
    const final = await finalOutputs(engine, DEFAULT_SETTING);
    engine.dispose();
    expect(final.difference).toBeLessThan(1e-6);
    expect(steps.at(-1)!.traffic).toEqual(final.traffic);
    steps.at(-1)!.output.forEach((x, i) => expect(Math.abs(x - final.naive[i]!)).toBeLessThan(1e-6));
  });

  it('spans Theorem 2’s range d ≤ M ≤ Nd, with curves crossing just below d²', () => {
    const points = boundPoints(16, 4);
    expect(points.map((p) => p.M)).toEqual([4, 8, 16, 32, 64]);
    expect(points[0]).toMatchObject({ standard: 16 * 4 + 256, flash: (256 * 16) / 4 });
    expect(crossover(16, 4)).toBeCloseTo(12.8, 10);
    expect(crossover(4096, 64) / 64 ** 2).toBeGreaterThan(0.98);
  });
});
