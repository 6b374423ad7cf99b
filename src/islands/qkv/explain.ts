/**
 * What the explanation panel says about a cell, with the numbers of the run
 * on screen: which row and column fed it, the terms of its dot product (read
 * from the matrices shown), and the value the engine computed. Nothing here
 * computes a result: sums and softmaxes shown are the engine's.
 */
import { rowStats } from '@attention-guide/attention/stats';
import { at, cellName, columnOf, rowOf, type MatrixName, type Pipeline } from './pipeline';

/** A term of the formula the panel highlights (the classes the .astro wrapper puts on the KaTeX output). */
export type Term = 'q' | 'k' | 'v' | 'scores' | 'scaled' | 'mask' | 'weights' | 'output';

/** Part of a matrix that fed (or is fed by) the explained cell: a row, a column or one cell. */
export interface Mark {
  matrix: MatrixName;
  row?: number;
  col?: number;
}

/** How a table cell is marked: the one explained, or part of a row, column or cell that fed it (or that it feeds). */
export type CellMark = 'active' | 'source' | null;

export interface Explanation {
  /** What the cell is, e.g. "Score of query “cat” against key “mat”". */
  title: string;
  /** How it was computed, with the numbers. */
  detail: string;
  marks: Mark[];
  /** The formula's terms this cell is part of. */
  terms: Term[];
}

/** Two decimals with a true minus sign; -0 as 0. */
export function fmt(x: number, digits = 2): string {
  if (x === -Infinity) return '−∞';
  if (x === Infinity) return '∞';
  const text = Math.abs(x).toFixed(digits);
  return x < 0 && Number(text) !== 0 ? `−${text}` : text;
}

/** A factor in a listed product: negative numbers in brackets. */
const factor = (x: number) => (x < 0 && fmt(x).startsWith('−') ? `(${fmt(x)})` : fmt(x));

/** "a₁×b₁ + a₂×b₂ + …" from two equally long lists. */
function terms(a: number[], b: number[]): string {
  return a.map((x, i) => `${factor(x)}×${factor(b[i]!)}`).join(' + ');
}

const quote = (token: string) => `“${token}”`;

export function explain(p: Pipeline, matrix: MatrixName, r: number, c: number): Explanation {
  const t = p.tokens;
  switch (matrix) {
    case 'x':
      return {
        title: `${cellName('x', r, c, t)} = ${fmt(at(p.x, r, c))}`,
        detail: `An input: coordinate ${c + 1} of the vector of ${quote(t[r]!)}. It feeds row ${r + 1} of Q, K and V.`,
        marks: [{ matrix: 'q', row: r }, { matrix: 'k', row: r }, { matrix: 'v', row: r }],
        terms: ['q', 'k', 'v'],
      };
    case 'wq':
    case 'wk':
    case 'wv': {
      const out = matrix === 'wq' ? 'q' : matrix === 'wk' ? 'k' : 'v';
      return {
        title: `${cellName(matrix, r, c, t)} = ${fmt(at(p[matrix], r, c))}`,
        detail: `An input (training sets these in a real model). It multiplies coordinate ${r + 1} of every token’s vector and feeds column ${c + 1} of ${out.toUpperCase()}.`,
        marks: [{ matrix: 'x', col: r }, { matrix: out, col: c }],
        terms: [out],
      };
    }
    case 'q':
    case 'k':
    case 'v': {
      const w = matrix === 'q' ? 'wq' : matrix === 'k' ? 'wk' : 'wv';
      const role = { q: 'query', k: 'key', v: 'value' }[matrix];
      const W = { q: 'W_Q', k: 'W_K', v: 'W_V' }[matrix];
      return {
        title: `${matrix.toUpperCase()} row ${r + 1}, column ${c + 1}: coordinate ${c + 1} of the ${role} of ${quote(t[r]!)}`,
        detail: `X row ${r + 1} (${t[r]}) · ${W} column ${c + 1} = ${terms(rowOf(p.x, r), columnOf(p[w], c))} = ${fmt(at(p[matrix], r, c))}`,
        marks: [{ matrix: 'x', row: r }, { matrix: w, col: c }],
        terms: [matrix],
      };
    }
    case 'scores':
      return {
        title: `Score of query ${quote(t[r]!)} against key ${quote(t[c]!)} (row ${r + 1}, column ${c + 1})`,
        detail: `query row ${r + 1} (${t[r]}) · key row ${c + 1} (${t[c]}) = ${terms(rowOf(p.q, r), rowOf(p.k, c))} = ${fmt(at(p.scores, r, c))}`,
        marks: [{ matrix: 'q', row: r }, { matrix: 'k', row: c }],
        terms: ['scores'],
      };
    case 'scaled':
      return {
        title: `Scaled score of query ${quote(t[r]!)} against key ${quote(t[c]!)} (row ${r + 1}, column ${c + 1})`,
        detail: `${fmt(at(p.scores, r, c))} / √${p.dk} = ${fmt(at(p.scaled, r, c))}`,
        marks: [{ matrix: 'scores', row: r, col: c }],
        terms: ['scaled'],
      };
    case 'masked': {
      const value = at(p.masked, r, c);
      return {
        title: `Masked score of query ${quote(t[r]!)} against key ${quote(t[c]!)} (row ${r + 1}, column ${c + 1})`,
        detail:
          value === -Infinity
            ? `Key ${c + 1} (${t[c]}) comes after query ${r + 1} (${t[r]}), so the causal mask adds −∞: its weight will be exactly 0.`
            : `Key ${c + 1} (${t[c]}) is not after query ${r + 1} (${t[r]}), so the mask adds 0 and the scaled score passes through: ${fmt(value)}`,
        marks: [{ matrix: 'scaled', row: r, col: c }],
        terms: ['mask'],
      };
    }
    case 'weights': {
      const source = p.causal ? p.masked : p.scaled;
      const row = rowOf(source, r);
      const weight = at(p.weights, r, c);
      const sum = rowStats(rowOf(p.weights, r)).sum;
      const visible = p.causal ? ' visible' : '';
      return {
        title: `Weight of query ${quote(t[r]!)} on key ${quote(t[c]!)} (row ${r + 1}, column ${c + 1})`,
        detail:
          at(source, r, c) === -Infinity
            ? `A(${r + 1}, ${c + 1}): the mask hid this key, and exp(−∞) = 0, so the weight is ${fmt(weight)}. Row ${r + 1} sums to ${fmt(sum, 3)}.`
            : `A(${r + 1}, ${c + 1}) = exp(S(${r + 1}, ${c + 1})) / Σ_l exp(S(${r + 1}, l)) over row ${r + 1}’s${visible} scores, with S(${r + 1}, ${c + 1}) = ${fmt(at(source, r, c))} in the row ${row.map((s) => fmt(s)).join(', ')}: ${fmt(weight)}. Row ${r + 1} sums to ${fmt(sum, 3)}.`,
        marks: [{ matrix: p.causal ? 'masked' : 'scaled', row: r }],
        terms: ['weights'],
      };
    }
    case 'output':
      return {
        title: `Output row ${r + 1}, column ${c + 1}: coordinate ${c + 1} of the new vector of ${quote(t[r]!)}`,
        detail: `Σ_j A(${r + 1}, j) V(j, ${c + 1}) = ${terms(rowOf(p.weights, r), columnOf(p.v, c))} = ${fmt(at(p.output, r, c))}`,
        marks: [{ matrix: 'weights', row: r }, { matrix: 'v', col: c }],
        terms: ['output'],
      };
  }
}
