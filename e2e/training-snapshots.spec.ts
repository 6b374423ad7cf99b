import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { enlarged, enlargedView, expectRowsSumToOne, MODEL_READY, pickCell, pickHead, ready, visible } from './head-grid';
import { expectLinkReopens, expectRefused, HOSTILE } from './share-link';
import { axeViolations, expectNoOverflow, openIsland } from './site';

/**
 * The training snapshots in chapter 3: a slider through the decoder's saved
 * snapshots, the loss curve with the current one marked, and every head
 * reading the running sentence with that snapshot's weights.
 */

const CHAPTER = '/chapters/multi-head-attention/';
const ISLAND = '[data-training-snapshots]';
const GALLERY = '[data-head-gallery]';

const MANIFEST = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'public', 'models', 'decoder.json'), 'utf8')) as {
  snapshots: Array<{ step: number; trainLoss: number; validationLoss: number }>;
};
const SNAPSHOTS = MANIFEST.snapshots;
const LAST = SNAPSHOTS.length - 1;

const open = (page: Page, query = ''): Promise<Locator> => openIsland(page, CHAPTER, ISLAND, query);

/** The enlarged head's visible weights, row by row. */
const shown = async (island: Locator): Promise<number[][]> => (await enlarged(island)).map(visible);
const pick = async (island: Locator, index: number): Promise<number[][]> => (await pickHead(island, index)).map(visible);

/** Moves the slider with a key and waits until the snapshot it reaches is on screen. */
async function press(page: Page, island: Locator, key: string, step: number) {
  await island.getByRole('slider').focus();
  await page.keyboard.press(key);
  await expect(island).toHaveAttribute('data-step', String(step), MODEL_READY);
  await expect(island.locator('svg[data-marker-step]')).toHaveAttribute('data-marker-step', String(step));
}

/** Mean over rows of -Σ w ln w: ln of the row length for a uniform row, 0 for a one-hot one. */
function meanEntropy(rows: number[][]): number {
  const entropy = (row: number[]) => row.reduce((h, w) => (w > 0 ? h - w * Math.log(w) : h), 0);
  return rows.reduce((sum, row) => sum + entropy(row), 0) / rows.length;
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('shows the loss curve marked at the end of training, its numbers, and the final heads as thumbnails', async ({ page }) => {
    await page.goto(CHAPTER);
    const island = page.locator(ISLAND);
    await expect(island).toHaveAttribute('data-step', String(SNAPSHOTS[LAST]!.step));
    await expect(island.locator('svg[data-marker-step]')).toHaveAttribute('data-marker-step', String(SNAPSHOTS[LAST]!.step));
    await expect(island.locator('svg[data-marker-step] path')).toHaveCount(2);
    await expect(island.locator('[data-losses] tbody tr')).toHaveCount(SNAPSHOTS.length);
    await expect(island.locator('[data-losses] tbody tr[aria-current="true"]')).toContainText('9,000');
    await expect(island.locator('[data-losses] tbody tr').first()).toContainText(SNAPSHOTS[0]!.validationLoss.toFixed(3));
    await expect(island.locator('svg.compact')).toHaveCount(8);
    await expect(island.getByRole('slider')).toBeDisabled();
    await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'static');
    // The last snapshot's thumbnails are the shipped model's: the gallery's.
    const thumbnails = (root: string) => page.locator(`${root} svg.compact`).evaluateAll((maps) => maps.map((m) => m.querySelector('path')?.getAttribute('d')));
    expect(await thumbnails(ISLAND)).toEqual(await thumbnails(GALLERY));
  });
});

test('hydrates on WebGPU; the slider, by keyboard, changes the maps and moves the loss marker', async ({ page }) => {
  const island = await open(page);
  expect(await ready(island)).toBe('webgpu');
  const slider = island.getByRole('slider');
  await expect(slider).toHaveAttribute('aria-valuetext', 'step 9,000 of 9,000, snapshot 12 of 12');
  const final = await shown(island);
  expectRowsSumToOne(final);
  const marker = island.locator('svg[data-marker-step] [data-marker]');
  const finalX = await marker.getAttribute('cx');
  const finalThumbs = await island.locator('svg.compact').evaluateAll((maps) => maps.map((m) => m.innerHTML));

  await press(page, island, 'Home', 0);
  await expect(slider).toHaveAttribute('aria-valuetext', 'step 0 of 9,000, snapshot 1 of 12');
  await expect(island.locator('[data-now]')).toContainText('before training');
  expect(await marker.getAttribute('cx')).not.toBe(finalX);
  const start = await shown(island);
  expectRowsSumToOne(start);
  expect(start.flat()).not.toEqual(final.flat());
  const startThumbs = await island.locator('svg.compact').evaluateAll((maps) => maps.map((m) => m.innerHTML));
  startThumbs.forEach((html, i) => expect(html).not.toBe(finalThumbs[i]));
  await expect(island.locator('[data-masked-max]')).toHaveAttribute('data-masked-max', '0');

  await press(page, island, 'ArrowRight', SNAPSHOTS[1]!.step);
  await expect(island.locator('[data-losses] tbody tr[aria-current="true"]')).toContainText(SNAPSHOTS[1]!.step.toLocaleString('en-GB'));
  await press(page, island, 'End', SNAPSHOTS[LAST]!.step);
  expect(await shown(island)).toEqual(final);
});

test('a click on the slider moves it', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const slider = island.getByRole('slider');
  const box = (await slider.boundingBox())!;
  await slider.click({ position: { x: 2, y: box.height / 2 } });
  await expect(island).toHaveAttribute('data-step', '0', MODEL_READY);
  await expect(island.locator('svg[data-marker-step]')).toHaveAttribute('data-marker-step', '0');
});

test('before training every head is closer to uniform than after it: mean row entropy falls', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const entropies = async () => {
    const out = [];
    for (let i = 0; i < 8; i++) out.push(meanEntropy(await pick(island, i)));
    return out;
  };
  const final = await entropies();
  await press(page, island, 'Home', 0);
  const first = await entropies();
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  expect(mean(final)).toBeLessThan(mean(first));
  first.forEach((h, i) => expect(final[i]!).toBeLessThan(h));
  // A uniform causal head over 12 tokens has mean row entropy ln(12!) / 12 ≈ 1.67 nats: step 0 is near it.
  expect(mean(first)).toBeGreaterThan(1.2);
});

test('the last position shows the shipped weights: the same numbers as the head gallery', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const gallery = page.locator(GALLERY);
  await gallery.scrollIntoViewIfNeeded();
  await expect(gallery).toHaveAttribute('data-hydrated', '');
  await expect(gallery.locator('[data-enlarged] [data-weights]')).toHaveCount(1, MODEL_READY);
  for (const head of [0, 5]) {
    const snapshot = await pick(island, head);
    await gallery.locator(`[data-thumb="${head}"]`).click();
    await expect(gallery.locator('[data-enlarged]')).toHaveAttribute('data-enlarged', String(head));
    const shipped = await shown(gallery);
    expect(snapshot.flat()).toHaveLength(78);
    snapshot.flat().forEach((w, j) => expect(Math.abs(w - shipped.flat()[j]!)).toBeLessThan(1e-5));
  }
});

test('the page fetches the model file once for every snapshot and the gallery', async ({ page }) => {
  const fetched: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/models/decoder.bin')) fetched.push(request.url());
  });
  const island = await open(page);
  await ready(island);
  await press(page, island, 'Home', 0);
  await press(page, island, 'ArrowRight', SNAPSHOTS[1]!.step);
  const gallery = page.locator(GALLERY);
  await gallery.scrollIntoViewIfNeeded();
  await expect(gallery.locator('[data-enlarged] [data-weights]')).toHaveCount(1, MODEL_READY);
  expect(fetched).toHaveLength(1);
});

test('a middle snapshot gives the same weights on WebGPU and with ?compute=cpu', async ({ browser }) => {
  const readAt = async (query: string) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const island = await open(page, query);
    const backend = await ready(island);
    await press(page, island, 'Home', 0);
    for (const i of [1, 2, 3]) await press(page, island, 'ArrowRight', SNAPSHOTS[i]!.step);
    const heads = [];
    for (let h = 0; h < 8; h++) heads.push(...(await pick(island, h)).flat());
    await context.close();
    return { backend, heads };
  };
  const gpu = await readAt('');
  const cpu = await readAt('?compute=cpu');
  expect(gpu.backend).toBe('webgpu');
  expect(cpu.backend).toBe('cpu');
  expect(gpu.heads).toHaveLength(8 * 78);
  gpu.heads.forEach((w, j) => expect(Math.abs(w - cpu.heads[j]!)).toBeLessThan(1e-5));
});

test('when the model cannot load, the island says so and keeps the build-time figure', async ({ page }) => {
  await page.route('**/models/decoder.bin', (route) => route.abort());
  const island = await open(page);
  await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'failed', MODEL_READY);
  await expect(island.locator('[data-failed]')).toContainText('The model could not run here');
  await expect(island.locator('svg.compact')).toHaveCount(8);
  await expect(island).toHaveAttribute('data-step', String(SNAPSHOTS[LAST]!.step));
  // Another snapshot fails too, and the figure stays where it was.
  await island.getByRole('slider').focus();
  await page.keyboard.press('Home');
  await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'failed');
  await expect(island).toHaveAttribute('data-step', String(SNAPSHOTS[LAST]!.step));
});

test('at 360 px nothing overflows, with the numbers open too', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const island = await open(page);
  await ready(island);
  await expectNoOverflow(page, island);
  // The numbers' table is wider than the screen: it scrolls in its own box.
  await island.locator('details.numbers summary').click();
  await expect(island.locator('table[data-weights]')).toBeVisible();
  await expectNoOverflow(page, island);
});

for (const theme of ['light', 'dark'] as const) {
  test(`axe finds no WCAG 2 A/AA violation in the hydrated island, ${theme} theme`, async ({ page }) => {
    await page.addInitScript((t) => localStorage.setItem('theme', t), theme);
    const island = await open(page);
    await ready(island);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    for (const summary of await island.locator('details summary').all()) await summary.click();
    expect(await axeViolations(page, ISLAND)).toEqual([]);
  });
}

test.describe('link', () => {
  const DEMO = { chapter: CHAPTER, demo: 'training-snapshots', selector: ISLAND };

  test('a snapshot, a head and a cell reopen from the link with the same weights', async ({ page }) => {
    const island = await open(page);
    await ready(island);
    await press(page, island, 'Home', SNAPSHOTS[0]!.step);
    await press(page, island, 'ArrowRight', SNAPSHOTS[1]!.step);
    await pickHead(island, 6);
    await pickCell(island);
    await expect(island).toHaveAttribute('data-share', 'snapshot=2&layer=1&head=2&query=11&key=10');
    await expectLinkReopens(page, island, DEMO, enlargedView);
  });

  test('hostile settings and a snapshot or head that does not exist are refused with a notice, and the default view stays', async ({ page }) => {
    const island = await expectRefused(page, DEMO, { snapshot: '13', layer: HOSTILE.markup, head: HOSTILE.huge, key: HOSTILE.nan }, ready);
    await expect(island.locator('[data-share-notice]')).toContainText('snapshot');
  });
});
