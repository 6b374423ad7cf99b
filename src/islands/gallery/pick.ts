/**
 * The head and the cell a link picks in the head grid (HeadGrid.svelte),
 * checked against the sentence on screen, and the picks on screen as a
 * link's values: shared by the head gallery and the training snapshots.
 */
import type { Ignored, Values } from '../../lib/share';
import type { HEAD_FIELDS } from './HeadGallery.share';

type HeadValues = Values<typeof HEAD_FIELDS>;

/** Where the grid stands: the picked head (layer × heads + head), the picked cell, and the grid's shape. */
export interface GridPick {
  picked: number;
  chosen: [number, number] | null;
}
export interface GridShape {
  layers: number;
  heads: number;
  /** Tokens in the sentence shown, the start token included. */
  tokens: number;
}

/** The picks after a link's values; values the shape has no room for are refused and leave the pick as it was. */
export function applyPick(values: HeadValues, now: GridPick, shape: GridShape): GridPick & { refused: Ignored[] } {
  const refused: Ignored[] = [];
  let layer = Math.floor(now.picked / shape.heads);
  let head = now.picked % shape.heads;
  if (values.layer !== undefined) {
    if (values.layer < shape.layers) layer = values.layer;
    else refused.push({ name: 'layer', reason: `the model has layers 0 to ${shape.layers - 1}` });
  }
  if (values.head !== undefined) {
    if (values.head < shape.heads) head = values.head;
    else refused.push({ name: 'head', reason: `layer ${layer} has heads 0 to ${shape.heads - 1}` });
  }
  let chosen = now.chosen;
  const inside = (name: 'query' | 'key') => {
    const value = values[name];
    if (value === undefined || value < shape.tokens) return value;
    refused.push({ name, reason: `the sentence has tokens 0 to ${shape.tokens - 1}` });
    return undefined;
  };
  const query = inside('query');
  const key = inside('key');
  if (query !== undefined || key !== undefined) chosen = [query ?? chosen?.[0] ?? shape.tokens - 1, key ?? chosen?.[1] ?? 0];
  return { picked: layer * shape.heads + head, chosen, refused };
}

/** The picks on screen as a link's values: the cell only where the reader picked one (else the map picks its own). */
export function pickValues({ picked, chosen }: GridPick, shape: GridShape): HeadValues {
  const values: HeadValues = { layer: Math.floor(picked / shape.heads), head: picked % shape.heads };
  if (chosen) {
    values.query = Math.min(chosen[0], shape.tokens - 1);
    values.key = Math.min(chosen[1], shape.tokens - 1);
  }
  return values;
}
