import { ROWS_PER_DIM } from './constants';

/** A workgroup grid of `count` workgroups, folded into y past ROWS_PER_DIM. */
export function rowGrid(count: number): [x: number, y: number] {
  return count <= ROWS_PER_DIM ? [count, 1] : [ROWS_PER_DIM, Math.ceil(count / ROWS_PER_DIM)];
}

export function ceilDiv(a: number, b: number): number {
  return Math.ceil(a / b);
}
