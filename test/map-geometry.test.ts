import { describe, expect, it } from 'vitest';
import { mapLabel, mapMargins } from '../src/islands/shared/map-geometry';

describe('map labels', () => {
  it('keeps a word of up to 11 characters whole', () => {
    expect(mapLabel('it')).toBe('it');
    expect(mapLabel('interesting')).toBe('interesting');
  });

  it('cuts a longer word to 10 characters and an ellipsis, keeping an unknown word’s mark', () => {
    expect(mapLabel('unbelievable')).toBe('unbelievab…');
    expect(mapLabel('x'.repeat(600))).toBe(`${'x'.repeat(10)}…`);
    expect(mapLabel(`${'x'.repeat(600)}*`)).toBe(`${'x'.repeat(9)}…*`);
    expect([...mapLabel('😀'.repeat(20))]).toHaveLength(11);
  });

  it('sizes the margins by the labels shown, so a long word leaves the cells their room', () => {
    const short = mapMargins(['start', 'the', 'cat'], ['start', 'the', 'cat']);
    const long = mapMargins(['start', 'x'.repeat(600)], ['start', 'x'.repeat(600)]);
    expect(long.left).toBeCloseTo(6 + 3.6 * 11);
    expect(long.top).toBeCloseTo(6 + 2.6 * 11);
    expect(long.right).toBeLessThan(44);
    expect(short.left).toBeCloseTo(6 + 3.6 * 5);
  });
});
