import { expect, type Locator } from '@playwright/test';
import { ready as computed } from './site';

export { MODEL_READY } from './site';

/**
 * Reading the heads of the decoder as the head gallery and the training
 * snapshots show them (src/islands/gallery/HeadGrid.svelte): eight
 * thumbnails, one head enlarged with a table of its weights.
 */

/** Waits until the model has run in the browser and the enlarged map is drawn; says on which backend. */
export async function ready(island: Locator): Promise<string> {
  const backend = await computed(island);
  await expect(island.locator('[data-enlarged] [data-weights]')).toHaveCount(1);
  return backend;
}

/** The enlarged head's weights, row by row, from its table: visible weights at full precision; masked cells as null. */
export async function enlarged(island: Locator): Promise<Array<Array<number | null>>> {
  return island.locator('[data-enlarged] [data-weights] tbody tr').evaluateAll((rows) =>
    rows.map((row) => Array.from(row.querySelectorAll('td'), (td) => (td.hasAttribute('data-masked') ? null : Number(td.getAttribute('data-value'))))),
  );
}

/** Picks head `index` (layer × 4 + head) with a click and returns its weights. */
export async function pickHead(island: Locator, index: number): Promise<Array<Array<number | null>>> {
  await island.locator(`[data-thumb="${index}"]`).click();
  await expect(island.locator('[data-enlarged]')).toHaveAttribute('data-enlarged', String(index));
  return enlarged(island);
}

/** The weights a row shows, without its masked cells. */
export const visible = (row: Array<number | null>): number[] => row.filter((w): w is number => w !== null);

/** Each row's visible weights: row i has i + 1 (itself and the tokens before it), non-negative, summing to 1. */
export function expectRowsSumToOne(rows: Array<Array<number | null>>): void {
  expect(rows.length).toBeGreaterThan(0);
  rows.forEach((row, i) => {
    const shown = visible(row);
    expect(shown).toHaveLength(i + 1);
    for (const w of shown) expect(w).toBeGreaterThanOrEqual(0);
    expect(Math.abs(shown.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
  });
}

/** Picks the cell left of the last row's last (End, then ArrowLeft in the enlarged map) and returns what the readout says. */
export async function pickCell(island: Locator): Promise<string> {
  const map = island.locator('[data-enlarged] svg[role="application"]');
  await map.focus();
  await map.press('End');
  await map.press('ArrowLeft');
  return (await island.locator('[data-enlarged] [data-readout]').textContent())!;
}

/** The enlarged head's weights and the picked cell's readout: what a link to the view must show again. */
export async function enlargedView(island: Locator): Promise<{ weights: Array<Array<number | null>>; readout: string | null }> {
  return { weights: await enlarged(island), readout: await island.locator('[data-enlarged] [data-readout]').textContent() };
}
