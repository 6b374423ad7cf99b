import { describe, expect, it } from 'vitest';
import { interpolateCividis, interpolateRdBu } from 'd3-scale-chromatic';
import { scoreColour, weightColour } from '../src/lib/colour';

// Every value the islands can ask for, and then some: the ends, outside them, and a fine grid.
const TS = [-1, -1e-9, 0, 1e-9, 0.5, 1 - 1e-9, 1, 2, NaN, ...Array.from({ length: 10_001 }, (_, i) => i / 10_000)];

describe('the colour scales, written out', () => {
  it('give exactly d3-scale-chromatic’s cividis strings', () => {
    for (const t of TS) expect(weightColour(t), `t = ${t}`).toBe(interpolateCividis(Math.max(0, Math.min(1, t < 0 ? 0 : t > 1 ? 1 : t))));
  });

  it('give exactly d3-scale-chromatic’s RdBu strings', () => {
    for (const t of TS) {
      const clamped = t < 0 ? 0 : t > 1 ? 1 : t;
      expect(scoreColour(2 * clamped - 1, 1), `t = ${t}`).toBe(interpolateRdBu(clamped));
    }
  });
});
