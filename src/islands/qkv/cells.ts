/**
 * The input numbers a reader changed, as a link carries them: one
 * `matrix:row:column=value` per changed cell (rows and columns from 0),
 * separated by spaces, e.g. `x:0:1=2.5 wq:3:0=-1`. Cells left at their
 * starting values are not written.
 */
import { D_MODEL, INPUT_NAMES, MAX_DK, MAX_TOKENS, cellKey, defaultValue, inputShape, parseCell, type InputName, type Inputs } from './pipeline';

/** The cells of `inputs` that differ from their starting values. */
export function writeCells(inputs: Inputs): string {
  const cells: string[] = [];
  for (const name of INPUT_NAMES) {
    const m = inputs[name];
    for (let r = 0; r < m.rows; r++) {
      for (let c = 0; c < m.cols; c++) {
        const value = m.data[r * m.cols + c]!;
        if (value !== defaultValue(name, r, c)) cells.push(`${cellKey(name, r, c)}=${value}`);
      }
    }
  }
  return cells.join(' ');
}

/** The edits `text` holds, by cellKey, and the parts that are no cell of the largest size or no number. */
export function readCells(text: string): { edits: Record<string, string>; refused: string[] } {
  const edits: Record<string, string> = {};
  const refused: string[] = [];
  const largest = inputShape('x', { n: MAX_TOKENS, dk: MAX_DK });
  for (const part of text.split(/\s+/).filter(Boolean)) {
    const match = /^(x|wq|wk|wv):(\d{1,2}):(\d{1,2})=(.{1,40})$/.exec(part);
    const name = match?.[1] as InputName | undefined;
    const [rows, cols] = name === 'x' ? largest : [D_MODEL, MAX_DK];
    const r = Number(match?.[2]);
    const c = Number(match?.[3]);
    const parsed = parseCell(match?.[4] ?? '');
    if (!name || r >= rows || c >= cols || !parsed.ok) refused.push(part);
    else edits[cellKey(name, r, c)] = String(parsed.value);
  }
  return { edits, refused };
}
