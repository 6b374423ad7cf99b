import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, maskMatrix, type Engine } from '@attention-guide/attention';
import { readShipped } from '@attention-guide/models/shipped';
import { readRunningSentence, readText, RUNNING_SENTENCE, type DecoderHeads } from '../src/lib/models';
import { blockMask, globalMask, LOST_THRESHOLD, parseParam, patternCost, patternMask, PATTERNS, type Params } from '../src/islands/sparse/patterns';
import { decodeSteps, encodeSteps, PASSAGE, sparseView, viewCost } from '../src/islands/sparse/view';

const P: Params = { window: 3, stride: 3, summary: 1, globals: 2, block: 2 };
const rows = (m: Uint8Array, n: number) => Array.from({ length: n }, (_, i) => [...m.subarray(i * n, (i + 1) * n)].join(''));

describe('boolean patterns', () => {
  it('global tokens: the local window plus the first columns, causal', () => {
    expect(rows(globalMask(5, 2, 1), 5)).toEqual(['10000', '11000', '11100', '10110', '10011']);
  });
  it('block-sparse: own block and the one before, causal', () => {
    expect(rows(blockMask(6, 2), 6)).toEqual(['100000', '110000', '111000', '111100', '001110', '001111']);
  });
  it('every pattern is causal and keeps the diagonal', () => {
    for (const pattern of PATTERNS) {
      const m = maskMatrix(patternMask(pattern, P, 9), 9, 9);
      for (let i = 0; i < 9; i++) {
        expect(m[i * 9 + i]).toBe(1);
        for (let j = i + 1; j < 9; j++) expect(m[i * 9 + j]).toBe(0);
      }
    }
  });
  it('a window as wide as the text, or global tokens covering it, is the causal mask', () => {
    const causal = maskMatrix({ kind: 'causal' }, 7, 7);
    expect(maskMatrix(patternMask('window', { ...P, window: 7 }, 7), 7, 7)).toEqual(causal);
    expect(globalMask(7, 1, 7)).toEqual(causal);
    expect(blockMask(7, 7)).toEqual(causal);
  });
});

describe('parseParam', () => {
  it('takes whole numbers in range', () => {
    expect(parseParam('window', ' 4 ', P, 10)).toEqual({ ok: true, value: 4 });
    expect(parseParam('globals', '0', P, 10)).toEqual({ ok: true, value: 0 });
  });
  it('refuses the rest with a message', () => {
    for (const [name, text] of [['window', '0'], ['window', '11'], ['stride', 'abc'], ['block', '2.5'], ['block', ''], ['summary', '4'], ['globals', '-1']] as const) {
      const r = parseParam(name, text, P, 10);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/must be a whole number from \d+ to \d+/);
    }
    const r = parseParam('summary', '4', P, 10);
    expect(!r.ok && r.message).toContain('at most the stride');
  });
});

describe('patternCost', () => {
  // Three tokens; the dense head's rows sum to 1.
  const dense = [1, 0, 0, 0.5, 0.5, 0, 0.7, 0.05, 0.25];
  it('counts the pairs scored, lists the heavy pairs lost, and the weight lost', () => {
    const cost = patternCost(dense, (i, j) => j <= i && i - j < 2, 3);
    expect(cost.allowed).toBe(5);
    expect(cost.causal).toBe(6);
    expect(cost.lost).toEqual([{ query: 2, key: 0, weight: 0.7 }]);
    expect(cost.lostMass).toBeCloseTo(0.7 / 3, 12);
  });
  it('lists heaviest first and leaves out pairs under the threshold', () => {
    const cost = patternCost(dense, (i, j) => i === j, 3);
    expect(cost.lost.map((p) => p.weight)).toEqual([0.7, 0.5]);
    expect(cost.lost.every((p) => p.weight >= LOST_THRESHOLD)).toBe(true);
    expect(cost.lostMass).toBeCloseTo((0.5 + 0.7 + 0.05) / 3, 12);
  });
});

describe('first-state steps', () => {
  it('round-trip to the colour steps, masked cells as NaN', () => {
    const back = decodeSteps(encodeSteps([0, 1, 0.5, 0.2], (i, j) => !(i === 0 && j === 1), 2));
    expect([...back].map((x) => (Number.isNaN(x) ? 'm' : x))).toEqual([0, 'm', 0.5, 6 / 32]);
  });
});

describe('the trained decoder on the passage, through the CPU engine', () => {
  const model = readShipped('decoder');
  let engine: Engine;
  let heads: DecoderHeads;
  beforeAll(async () => {
    engine = await createEngine({ prefer: 'cpu' });
    heads = await readText(engine, model, PASSAGE);
  });
  afterAll(() => engine.dispose());

  it('reads all 32 words of the passage, every one in the vocabulary, after <bos>', () => {
    expect(heads.tokens).toEqual(['<bos>', ...PASSAGE.split(' ')]);
    expect(heads.tokens).toHaveLength(33);
  });

  it('readRunningSentence is readText on the running sentence', async () => {
    const a = await readRunningSentence(engine, model);
    const b = await readText(engine, model, RUNNING_SENTENCE);
    expect(a.tokens).toEqual(b.tokens);
    expect(a.projections[0]!.queries.data).toEqual(b.projections[0]!.queries.data);
  });

  it('every pattern: weights exactly 0 where the mask says, rows summing to 1, and the cost counts the same cells', async () => {
    const n = 33;
    for (const pattern of PATTERNS) {
      const view = await sparseView(engine, heads, 1, 2, pattern, { window: 6, stride: 6, summary: 2, globals: 2, block: 6 });
      const mask = maskMatrix(patternMask(pattern, view.params, n), n, n);
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let j = 0; j < n; j++) {
          const k = i * n + j;
          expect(Number.isFinite(view.masked[k]!)).toBe(mask[k] === 1);
          if (mask[k] === 0) expect(view.sparse[k]).toBe(0);
          sum += view.sparse[k]!;
        }
        expect(sum).toBeCloseTo(1, 5);
      }
      const cost = viewCost(view);
      expect(cost.allowed).toBe(mask.reduce((a, b) => a + b, 0));
      for (const p of cost.lost) expect(mask[p.query * n + p.key]).toBe(0);
    }
  });
});
