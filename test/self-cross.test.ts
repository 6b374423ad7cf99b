import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultPicked, translatorNotes, type MeasuredHead } from '../src/islands/cross/heads';
import { pack, shown, unpack, type Pairing } from '../src/islands/cross/packed';
import { weightStep, WEIGHT_STEPS } from '../src/lib/colour';

const summary = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'public', 'models', 'heads.json'), 'utf8')) as {
  translator: { heads: MeasuredHead[] };
};
const measured = summary.translator.heads;

const head = (layer: string, h: number, figures: Record<string, number | null>): MeasuredHead => ({ layer, head: h, label: `${layer} ${h}`, evidence: 'e', figures });

describe('translatorNotes', () => {
  it('arranges the shipped translator’s heads by encoder layer, then the decoder’s self- and cross-attention, with heads.json’s words', () => {
    const notes = translatorNotes(measured, 2, 4);
    expect(notes.encoder).toHaveLength(2);
    expect(notes.encoder.every((layer) => layer.length === 4)).toBe(true);
    expect(notes.self).toHaveLength(4);
    expect(notes.cross).toHaveLength(4);
    const cross2 = measured.find((h) => h.layer === 'dec0.cross' && h.head === 2)!;
    expect(notes.cross[2]).toEqual({ label: cross2.label, evidence: cross2.evidence });
    expect(notes.cross[2]!.label).toBe('aligns French with English');
    expect(notes.cross[2]!.evidence).toContain('93.2%');
  });

  it('refuses a summary that does not describe the model', () => {
    expect(() => translatorNotes(measured, 3, 4)).toThrow(/enc2\.self/);
    expect(() => translatorNotes(measured.filter((h) => !(h.layer === 'dec0.self' && h.head === 1)), 2, 4)).toThrow(/dec0\.self/);
  });
});

describe('defaultPicked', () => {
  it('opens on the most concentrated self-attention heads and the best-aligned cross-attention head', () => {
    const heads = [
      head('enc0.self', 0, { previousToken: 0.1, firstToken: 0.2, selfToken: 0.1 }),
      head('enc1.self', 0, { previousToken: 0.1, firstToken: 0.1, selfToken: 0.3 }),
      head('dec0.self', 0, { previousToken: 0.2, firstToken: 0.1, selfToken: null }),
      head('dec0.self', 1, { previousToken: 0.1, firstToken: 0.4, selfToken: null }),
      head('dec0.cross', 0, { alignmentPredicting: 0.7 }),
      head('dec0.cross', 1, { alignmentPredicting: 0.9 }),
    ];
    expect(defaultPicked(heads)).toEqual({ layer: 1, encoderHead: 0, selfHead: 1, crossHead: 1 });
  });

  it('on the shipped summary, opens cross-attention on head 2', () => {
    expect(defaultPicked(measured).crossHead).toBe(2);
  });
});

describe('pack and unpack', () => {
  // m = 2 English tokens, n = 3 decoder positions (<bos> + 2 French words).
  const pairing: Pairing = {
    english: ['the', 'cat'],
    unknown: [],
    french: ['le', 'chat'],
    finished: true,
    encoder: [[Float32Array.of(0.25, 0.75, 0.5, 0.5)], [Float32Array.of(1, 0, 0, 1)]],
    self: [Float32Array.of(1, 0, 0, 0.4, 0.6, 0, 0.2, 0.3, 0.5)],
    cross: [Float32Array.of(0.9, 0.1, 0.03, 0.97, 0.5, 0.5)],
  };
  const picked = { layer: 1, encoderHead: 0, selfHead: 0, crossHead: 0 };

  it('ships the picked maps as one colour step a cell, and the words as they are', () => {
    const packed = pack(pairing, picked);
    expect(packed.steps).toHaveLength(2 * 2 + 3 * 3 + 3 * 2);
    expect(packed).not.toHaveProperty('encoder');
    const { words, maps } = unpack(packed);
    expect(words).toEqual({ english: ['the', 'cat'], unknown: [], french: ['le', 'chat'], finished: true });
    const original = shown(pairing, picked);
    for (const name of ['encoder', 'self', 'cross'] as const) {
      expect(Array.from(maps[name], (w) => w * WEIGHT_STEPS)).toEqual(Array.from(original[name], weightStep));
    }
    // The masked cells come back as 0.
    expect([maps.self[1], maps.self[2], maps.self[5]]).toEqual([0, 0, 0]);
  });

  it('keeps a cut message, and refuses steps that do not fit the words', () => {
    const packed = pack({ ...pairing, cut: 'cut' }, picked);
    expect(unpack(packed).words.cut).toBe('cut');
    expect(() => unpack({ ...packed, steps: packed.steps.slice(1) })).toThrow(/18 cells; 19 were expected/);
    expect(() => unpack({ ...packed, steps: `!${packed.steps.slice(1)}` })).toThrow(/not a colour step/);
  });
});

describe('weightStep', () => {
  it('rounds a weight to one of 33 steps, clamping outside [0, 1]', () => {
    expect([0, 1 / 64 - 1e-9, 0.5, 1, -0.2, 1.5].map(weightStep)).toEqual([0, 0, 16, 32, 0, 32]);
  });
});
