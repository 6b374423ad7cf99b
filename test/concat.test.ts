import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '@attention-guide/attention';
import { readShipped } from '@attention-guide/models/shipped';
import { concatView, draw, largestDifference, limitOf, outputWeights, paint, palette, rowOf, stepOf, stepsOf, STEPS, type ConcatView } from '../src/islands/concat/concat';
import { attentionCount, chooseHeads, divisors } from '../src/islands/concat/params';
import { MODELS } from '../src/lib/sizes';
import { readRunningSentence } from '../src/lib/models';

describe('attention weights, counted', () => {
  it('the trained decoder: 4 × 32² = 4,096 a layer, 8,192 over its 2 layers', () => {
    expect(attentionCount({ dModel: 32, heads: 4, headDim: 8, layers: 2 })).toEqual({ perProjection: 1024, perLayer: 4096, total: 8192, square: true });
  });

  it('GPT-3 175B (Brown et al. 2020, Table 2.1): 4 × 12,288² = 603,979,776 a layer, 57,982,058,496 over 96 layers', () => {
    const gpt3 = MODELS.gpt3_175b;
    const dModel = gpt3.heads * gpt3.headDim;
    expect(dModel).toBe(12_288);
    const count = attentionCount({ dModel, heads: gpt3.heads, headDim: gpt3.headDim, layers: gpt3.layers });
    expect(count.perProjection).toBe(12_288 ** 2);
    expect(count.perLayer).toBe(603_979_776);
    expect(count.total).toBe(57_982_058_496);
    expect(count.square).toBe(true);
  });

  it('is 4 · d_model² for every h that divides d_model, and says when h × d_k is not d_model', () => {
    expect(divisors(32)).toEqual([1, 2, 4, 8, 16, 32]);
    for (const heads of divisors(32)) expect(attentionCount({ dModel: 32, heads, headDim: 32 / heads, layers: 1 }).perLayer).toBe(4 * 32 * 32);
    expect(attentionCount({ dModel: 32, heads: 4, headDim: 16, layers: 1 })).toMatchObject({ perLayer: 4 * 32 * 64, square: false });
    expect(() => attentionCount({ dModel: 32, heads: 0, headDim: 8, layers: 1 })).toThrow(RangeError);
  });

  it('takes a typed h only when it divides d_model, and says why not otherwise', () => {
    const base = { dModel: 32, heads: 4, headDim: 8, layers: 2 };
    expect(chooseHeads(' 8 ', base)).toEqual({ ok: true, shape: { dModel: 32, heads: 8, headDim: 4, layers: 2 } });
    expect(chooseHeads('32', base)).toMatchObject({ ok: true, shape: { heads: 32, headDim: 1 } });
    const five = chooseHeads('5', base);
    expect(five.ok).toBe(false);
    expect(!five.ok && five.message).toBe(
      'h must divide d_model = 32 evenly, so that every head is d_k = d_model / h wide: 32 / 5 is not a whole number. Try 1, 2, 4, 8, 16 or 32.',
    );
    expect(!chooseHeads('0', base).ok && 'refused').toBe('refused');
    expect(!chooseHeads('64', base).ok && 'refused').toBe('refused');
    for (const text of ['', 'four', '2.5', '-4', '1e1']) expect(chooseHeads(text, base).ok, text).toBe(false);
  });
});

describe('the concat-and-project view of the trained decoder', () => {
  let engine: Engine;
  const views: ConcatView[] = [];
  const model = readShipped('decoder');

  beforeAll(async () => {
    engine = await createEngine({ prefer: 'cpu' });
    const reading = await readRunningSentence(engine, model);
    for (const layer of [0, 1]) views.push(await concatView(engine, reading, outputWeights(model, layer), layer));
  });
  afterAll(() => engine.dispose());

  it('has the shapes of the chapter: n × 8 per head, n × 32 concatenated, 32 × 32 W_O, n × 32 out', () => {
    for (const view of views) {
      expect(view.tokens).toEqual(['start', 'the', 'cat', 'sat', 'on', 'the', 'mat', 'because', 'it', 'was', 'tired', '.']);
      expect([view.heads, view.dv, view.dModel, view.heads * view.dv]).toEqual([4, 8, 32, 32]);
      expect(view.headOutputs.map((o) => o.length)).toEqual([96, 96, 96, 96]);
      expect(view.concatenated.length).toBe(12 * 32);
      expect(view.wo.length).toBe(32 * 32);
      expect(view.output.length).toBe(12 * 32);
    }
  });

  it('each head’s output (engine.attention on its own queries, keys and values) is its slice of the concatenation', () => {
    for (const view of views) {
      const sideBySide = new Float32Array(12 * 32);
      view.headOutputs.forEach((o, h) => {
        for (let i = 0; i < 12; i++) sideBySide.set(o.subarray(i * 8, (i + 1) * 8), i * 32 + h * 8);
      });
      expect(largestDifference(sideBySide, view.concatenated)).toBeLessThan(1e-6);
    }
  });

  it('Concat · W_O (engine.matmul) equals the layer’s output within float tolerance, and the view says by how much', async () => {
    for (const view of views) {
      const product = await engine.matmul({ data: view.concatenated, shape: [12, 32] }, { data: view.wo, shape: [32, 32] });
      expect(largestDifference(product.data, view.output)).toBeLessThan(1e-5);
      expect(view.difference).toBe(largestDifference(product.data, view.output));
    }
  });

  it('a head’s map and its slice of the concatenation are drawn with the same colours', () => {
    for (const view of views) {
      const drawn = draw(view);
      expect(drawn.steps.heads).toEqual(drawn.steps.concat);
      expect(drawn.steps.heads.map((s) => s.length)).toEqual([96, 96, 96, 96]);
      expect([drawn.steps.wo.length, drawn.steps.output.length]).toEqual([1024, 384]);
      expect(drawn.limits.heads).toBeGreaterThanOrEqual(Math.max(...Array.from(view.concatenated, Math.abs)));
    }
  });

  it('a token’s row: its 32 concatenated numbers and its 32 outputs, as the shortest decimals of the float32s', () => {
    const row = rowOf(views[0]!, 8);
    expect(row.concat).toHaveLength(32);
    expect(row.output).toHaveLength(32);
    row.concat.forEach((x, c) => expect(Math.fround(x)).toBe(views[0]!.concatenated[8 * 32 + c]));
  });
});

describe('drawing a matrix', () => {
  it('rounds the scale’s ends up to two significant digits', () => {
    expect(limitOf([0.5, -23.63])).toBe(24);
    expect(limitOf([0.84423828125])).toBe(0.85);
    expect(limitOf([11.4412])).toBe(12);
    expect(limitOf([0])).toBe(1);
  });

  it('puts each value in one of 2 · STEPS + 1 colour steps, 0 in the middle', () => {
    expect(stepOf(0, 5)).toBe(0);
    expect(stepOf(5, 5)).toBe(STEPS);
    expect(stepOf(-9, 5)).toBe(-STEPS);
    expect(stepOf(-2, 5)).toBe(-Math.round(0.4 * STEPS));
  });

  it('writes a block’s steps a character a cell, "a" for the most negative, and keeps to the block', () => {
    const char = (step: number) => String.fromCharCode('a'.charCodeAt(0) + STEPS + step);
    expect(stepsOf([1, -1, 9, 0, 0.5, -1], 3, 1, [0, 2], [0, 2])).toBe([STEPS, -STEPS, 0, Math.round(STEPS / 2)].map(char).join(''));
    expect(char(-STEPS)).toBe('a');
    const colours = palette();
    expect(colours).toHaveLength(2 * STEPS + 1);
    for (const c of colours) expect(c).toMatch(/^#[0-9a-f]{6}$/);
    // The middle of the diverging scale is near white; its ends are red (negative) and blue (positive).
    expect(colours[STEPS]).toMatch(/^#[ef][0-9a-f][ef][0-9a-f][ef][0-9a-f]$/);
    expect(parseInt(colours[0]!.slice(1, 3), 16)).toBeGreaterThan(parseInt(colours[0]!.slice(5, 7), 16));
    expect(parseInt(colours.at(-1)!.slice(5, 7), 16)).toBeGreaterThan(parseInt(colours.at(-1)!.slice(1, 3), 16));
  });

  it('draws every cell once, as a relative move and a unit stroke', () => {
    const values = [1, -1, 1, 0, 1, -1];
    const paints = paint(stepsOf(values, 3, 1, [0, 2], [0, 3]), 3, palette());
    expect(paints.map((p) => p.d)).toEqual(['M1 0h1m0 1h1', 'M0 1h1', 'M0 0h1m1 0h1m-2 1h1']);
    const cells = paints.reduce((sum, p) => sum + (p.d.match(/h1/g) ?? []).length, 0);
    expect(cells).toBe(values.length);
  });
});
