import { describe, expect, it } from 'vitest';
import { interpolateCividis, interpolateRdBu } from 'd3-scale-chromatic';
import { scoreColour, textOn, weightColour } from '../src/lib/colour';

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

describe('text on a weight’s colour', () => {
  /** WCAG 2's relative luminance of an rgb(…) colour. */
  const luminance = (colour: string) => {
    const [r, g, b] = colour.match(/\d+/g)!.map((c) => {
      const s = Number(c) / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a: number, b: number) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);

  it('is whichever of black and white contrasts more, asked once or again (the answers are kept)', () => {
    for (const t of TS.filter((t) => !Number.isNaN(t))) {
      const background = weightColour(t);
      const l = luminance(background);
      const best = contrast(l, 0) >= contrast(l, 1) ? '#000' : '#fff';
      expect(textOn(background), background).toBe(best);
      expect(textOn(background), `${background}, again`).toBe(best);
    }
    expect(textOn('#ffffff')).toBe('#000');
    expect(textOn('#000000')).toBe('#fff');
  });
});
