import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEIGHT_STEPS } from '../src/lib/colour';
import { maskedMax, type Reading } from '../src/islands/tokens/packed';
import { applyPick, pickValues } from '../src/islands/gallery/pick';
import {
  causal,
  headSummaries,
  lossChart,
  packThumbnails,
  percent,
  squareMatrix,
  tickStep,
  tokenLabels,
  unpackThumbnails,
  type MeasuredHead,
} from '../src/islands/gallery/gallery';

const heads = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'public', 'models', 'heads.json'), 'utf8')) as { decoder: { heads: MeasuredHead[] } };

describe('headSummaries', () => {
  it('groups the shipped decoder’s measured heads by layer, then head, keeping heads.json’s words and figures', () => {
    const notes = headSummaries(heads.decoder.heads, 4);
    expect(notes).toHaveLength(2);
    expect(notes.every((layer) => layer.length === 4)).toBe(true);
    const copy = heads.decoder.heads.find((h) => h.layer === 'layer0.self' && h.head === 0)!;
    expect(notes[0]![0]).toEqual({
      label: copy.label,
      evidence: copy.evidence,
      previousToken: copy.figures.previousToken,
      firstToken: copy.figures.firstToken,
      copySource: copy.figures.copySource,
    });
  });
  it('puts heads in order whatever order the file lists them in', () => {
    const shuffled = [...heads.decoder.heads].reverse();
    expect(headSummaries(shuffled, 4)).toEqual(headSummaries(heads.decoder.heads, 4));
  });
  it('refuses a file that does not describe every head', () => {
    expect(() => headSummaries(heads.decoder.heads.slice(1), 4)).toThrow(/npm run heads/);
    expect(() => headSummaries(heads.decoder.heads, 3)).toThrow(/not 3/);
  });
});

describe('formatting', () => {
  it('writes shares as heads.json’s evidence does', () => {
    expect(percent(0.5226)).toBe('52.3%');
    expect(percent(0)).toBe('0.0%');
  });
  it('labels the start token and marks unknown words', () => {
    expect(tokenLabels(['the', 'zebra', '.'], [1])).toEqual(['start', 'the', 'zebra*', '.']);
  });
});

describe('squareMatrix', () => {
  const rows = [Float32Array.of(1), Float32Array.of(0.25, 0.75), Float32Array.of(0.1, 0.2, 0.7)];
  it('lays a causal head’s visible rows out as a square matrix, masked cells 0', () => {
    const m = squareMatrix(rows);
    expect(m).toHaveLength(9);
    expect(m.slice(3, 6)).toEqual([0.25, 0.75, 0]);
    expect(causal(0, 1)).toBe(true);
    expect(causal(1, 1)).toBe(false);
  });
  it('can write each weight as the shortest decimal of the same float32', () => {
    const short = squareMatrix(rows, true);
    expect(short[6]).toBe(0.1);
    expect(Math.fround(short[6]!)).toBe(rows[2]![0]);
  });
  it('refuses rows that are not a causal head’s', () => {
    expect(() => squareMatrix([Float32Array.of(1), Float32Array.of(1)])).toThrow(RangeError);
  });
});

describe('thumbnails as props', () => {
  const reading: Reading = {
    words: ['the', 'cat'],
    unknown: [1],
    weights: [
      [
        [Float32Array.of(1), Float32Array.of(0.3, 0.7), Float32Array.of(0.01, 0.49, 0.5)],
        [Float32Array.of(1), Float32Array.of(0.5, 0.5), Float32Array.of(0.2, 0.2, 0.6)],
      ],
    ],
  };
  it('keeps each weight’s colour step, so a thumbnail draws the same colours', () => {
    const back = unpackThumbnails(packThumbnails(reading));
    expect(back.words).toEqual(reading.words);
    expect(back.unknown).toEqual(reading.unknown);
    const step = (w: number) => Math.round(w * WEIGHT_STEPS);
    back.weights.flat(2).forEach((row, i) => {
      const original = reading.weights.flat(2)[i]!;
      expect(Array.from(row, step)).toEqual(Array.from(original, step));
    });
  });
  it('carries one character per visible weight', () => {
    const packed = packThumbnails(reading);
    expect(packed.steps).toHaveLength(12);
    expect(packed.layers).toBe(1);
    expect(packed.heads).toBe(2);
    expect(() => unpackThumbnails({ ...packed, steps: packed.steps.slice(1) })).toThrow();
    expect(() => unpackThumbnails({ ...packed, steps: `${packed.steps}0` })).toThrow();
  });
});

describe('maskedMax', () => {
  it('is the largest weight above the diagonal', () => {
    expect(maskedMax([1, 0, 0.5, 0.5], 2)).toBe(0);
    expect(maskedMax([0.9, 0.1, 0.5, 0.5], 2)).toBeCloseTo(0.1);
  });
});

describe('the loss chart', () => {
  const points = [
    { step: 0, trainLoss: 4.35, validationLoss: 4.45 },
    { step: 74, trainLoss: 3.73, validationLoss: 2.44 },
    { step: 9000, trainLoss: 1.03, validationLoss: 1.04 },
  ];
  it('picks round ticks', () => {
    expect(tickStep(4.45, 5)).toBe(1);
    expect(tickStep(9000, 5)).toBe(2000);
    expect(tickStep(0.9, 4)).toBe(0.25);
  });
  it('runs steps across from 0 and loss up from 0, with one line per loss', () => {
    const chart = lossChart(points);
    expect(chart.x(0)).toBe(chart.plot.left);
    expect(chart.x(9000)).toBe(chart.plot.right);
    expect(chart.y(0)).toBe(chart.plot.bottom);
    expect(chart.yTicks).toEqual([0, 1, 2, 3, 4, 5]);
    expect(chart.xTicks).toEqual([0, 2000, 4000, 6000, 8000]);
    expect(chart.train.match(/[ML]/g)).toHaveLength(3);
    expect(chart.validation.startsWith(`M${chart.plot.left.toFixed(1)} `)).toBe(true);
    // Every point inside the plot.
    for (const p of points) expect(chart.y(p.trainLoss)).toBeGreaterThanOrEqual(chart.plot.top);
  });
});

describe('the head and cell a link picks in the head grid', () => {
  const shape = { layers: 2, heads: 4, tokens: 12 };
  it('applies a head and a cell inside the sentence, and writes them back', () => {
    const pick = applyPick({ layer: 1, head: 2, query: 5, key: 3 }, { picked: 0, chosen: null }, shape);
    expect(pick).toEqual({ picked: 6, chosen: [5, 3], refused: [] });
    expect(pickValues(pick, shape)).toEqual({ layer: 1, head: 2, query: 5, key: 3 });
    expect(pickValues({ picked: 3, chosen: null }, shape)).toEqual({ layer: 0, head: 3 });
  });

  it('refuses a cell beyond the sentence and keeps the rest', () => {
    const pick = applyPick({ layer: 1, query: 12, key: 2 }, { picked: 1, chosen: null }, shape);
    expect(pick.picked).toBe(5);
    expect(pick.chosen).toEqual([11, 2]);
    expect(pick.refused).toEqual([{ name: 'query', reason: 'the sentence has tokens 0 to 11' }]);
    expect(applyPick({ head: 4 }, { picked: 1, chosen: null }, shape).refused.map((r) => r.name)).toEqual(['head']);
  });
});
