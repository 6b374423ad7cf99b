import { describe, expect, it } from 'vitest';
import { readCells, writeCells } from '../src/islands/qkv/cells';
import { defaultInputs, defaultValue, readInputs } from '../src/islands/qkv/pipeline';

describe('the changed input numbers of the formula demo, as a link carries them', () => {
  it('writes nothing for the starting values', () => {
    expect(writeCells(defaultInputs({ n: 8, dk: 8, causal: true }))).toBe('');
  });

  it('writes the changed cells, and reads them back', () => {
    const size = { n: 5, dk: 3, causal: false };
    const edits = { 'x:4:1': '2.5', 'wv:3:2': '-1e-3' };
    const read = readInputs(size, edits);
    if (!read.ok) throw new Error('the edits are numbers');
    const text = writeCells(read.inputs);
    expect(text).toBe('x:4:1=2.5 wv:3:2=-0.001');
    expect(readCells(text)).toEqual({ edits: { 'x:4:1': '2.5', 'wv:3:2': '-0.001' }, refused: [] });
  });

  it('refuses cells outside the largest matrices, and values that are not numbers a cell takes', () => {
    const { edits, refused } = readCells('x:8:0=1 wq:0:8=1 x:0:4=1 q:0:0=1 x:0:0=NaN wk:0:0=1e309 wk:0:0=2000 x:1:1=<b> wk:1:1=0.5');
    expect(edits).toEqual({ 'wk:1:1': '0.5' });
    expect(refused).toHaveLength(8);
    expect(defaultValue('wk', 1, 1)).not.toBe(0.5);
  });
});
