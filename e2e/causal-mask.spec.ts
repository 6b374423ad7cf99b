import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { expectAccessible, expectNoOverflow, MODEL_READY, openIsland, ready } from './site';
import { chapterLink, expectRefusedAt, reopen } from './share-link';

/**
 * The causal mask in chapter 4: one head of the trained decoder on the
 * running sentence, scores and weights side by side, the mask on and off.
 */

const CHAPTER = '/chapters/self-and-cross-attention/';
const ISLAND = '[data-causal-mask]';
// <bos> and the 11 tokens of the running sentence.
const N = 12;

const open = (page: Page, search = ''): Promise<Locator> => openIsland(page, CHAPTER, ISLAND, search);

const renders = async (island: Locator) => Number(await island.getAttribute('data-renders'));

/** The selected row's scores and weights from the row table, exactly as the page holds them. */
async function row(island: Locator): Promise<{ scores: string[]; weights: string[]; query: number }> {
  return island.locator('[data-row-table]').evaluate((table) => {
    const rows = [...table.querySelectorAll('tbody tr')];
    const caption = table.querySelector('caption')!.textContent!;
    return {
      scores: rows.map((tr) => tr.querySelectorAll('td')[0]!.getAttribute('data-value')!),
      weights: rows.map((tr) => tr.querySelectorAll('td')[1]!.getAttribute('data-value')!),
      query: Number(/Row (\d+)/.exec(caption)![1]),
    };
  });
}

/** Every weight on the map: the data-value of each cell, null where the cell is masked. */
async function mapWeights(island: Locator): Promise<(number | null)[]> {
  return island.locator('svg.map rect:is([data-value], [data-masked])').evaluateAll((cells) => cells.map((c) => (c.hasAttribute('data-masked') ? null : Number(c.getAttribute('data-value')))));
}

/** Checks one row: with the mask, keys after the query score exactly −∞ and weigh exactly 0; the rest sum to 1. */
function expectRow(r: { scores: string[]; weights: string[]; query: number }, causal: boolean) {
  expect(r.scores).toHaveLength(N);
  r.scores.forEach((s, j) => {
    const masked = causal && j > r.query;
    expect(s === '-Infinity').toBe(masked);
    if (masked) expect(r.weights[j]).toBe('0');
    else expect(Number.isFinite(Number(s))).toBe(true);
  });
  const weights = r.weights.map(Number);
  for (const w of weights) expect(w).toBeGreaterThanOrEqual(0);
  expect(Math.abs(weights.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
}

/** Moves the selection to each row in turn with the arrow keys and checks it. */
async function expectEveryRow(page: Page, island: Locator, causal: boolean) {
  const map = island.locator('svg.map');
  await map.focus();
  for (let i = 0; i < N; i++) await page.keyboard.press('ArrowUp');
  for (let q = 0; q < N; q++) {
    await expect(island.locator('[data-row-table] caption')).toContainText(`Row ${q},`);
    expectRow(await row(island), causal);
    await page.keyboard.press('ArrowDown');
  }
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('shows the build-time scores and weights with the mask on: −∞ and exact zeros above the diagonal', async ({ page }) => {
    await page.goto(CHAPTER);
    const island = page.locator(ISLAND);
    await expect(island).toHaveAttribute('data-causal', 'on');
    await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'static');
    const r = await row(island);
    expect(r.query).toBe(8); // “it”
    expectRow(r, true);
    await expect(island.locator('[data-row-table] tbody tr.masked')).toHaveCount(3);
    await expect(island.locator('[data-row-sum]')).toHaveText('1.000');
    // The weights map: the 66 cells above the diagonal hatched, the 78 others with their weights.
    const cells = await mapWeights(island);
    expect(cells).toHaveLength(N * N);
    cells.forEach((w, k) => expect(w === null).toBe(k % N > Math.floor(k / N)));
    // The score map tiles its masked cells with −∞.
    await expect(island.locator('[data-scores] path[fill^="url(#"]')).toHaveCount(1);
    await expect(island.getByRole('checkbox', { name: /Causal mask/ })).toBeDisabled();
  });
});

test('hydrates, runs the model on WebGPU and shows the build’s numbers', async ({ page, browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const staticPage = await context.newPage();
  await staticPage.goto(CHAPTER);
  const built = await row(staticPage.locator(ISLAND));
  const builtMap = await mapWeights(staticPage.locator(ISLAND));
  await context.close();

  const island = await open(page);
  expect(await ready(island)).toBe('webgpu');
  await expect(island.locator('[data-compute-target]')).toContainText('Computed in your browser on WebGPU');
  const shown = await row(island);
  expectRow(shown, true);
  shown.weights.forEach((w, j) => expect(Math.abs(Number(w) - Number(built.weights[j]))).toBeLessThan(1e-5));
  shown.scores.forEach((s, j) => (s === '-Infinity' ? expect(built.scores[j]).toBe(s) : expect(Math.abs(Number(s) - Number(built.scores[j]))).toBeLessThan(1e-5)));
  const map = await mapWeights(island);
  map.forEach((w, k) => (w === null ? expect(builtMap[k]).toBeNull() : expect(Math.abs(w - builtMap[k]!)).toBeLessThan(1e-5)));
});

test('the mask switch: off, every score is finite and rows look ahead; on again, −∞ and exact zeros in every row', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const before = await renders(island);
  await island.getByRole('checkbox', { name: /Causal mask/ }).click();
  await expect(island).toHaveAttribute('data-causal', 'off');
  await expect.poll(() => renders(island)).toBeGreaterThan(before);
  await expect(island.locator('svg.map rect[data-masked]')).toHaveCount(0);
  expect((await mapWeights(island)).every((w) => w !== null && w > 0)).toBe(true);
  const open_ = await row(island);
  expectRow(open_, false);
  // “it” now puts weight on the tokens after it.
  expect(Number(await island.locator('[data-ahead]').textContent())).toBeGreaterThan(0.1);
  await expect(island.locator('[data-readout-row]')).toContainText('never computes these weights');
  await expectEveryRow(page, island, false);

  // Back on from the keyboard.
  const off = await renders(island);
  await island.getByRole('checkbox', { name: /Causal mask/ }).focus();
  await page.keyboard.press('Space');
  await expect(island).toHaveAttribute('data-causal', 'on');
  await expect.poll(() => renders(island)).toBeGreaterThan(off);
  await expect(island.locator('svg.map rect[data-masked]')).toHaveCount((N * (N - 1)) / 2);
  await expectEveryRow(page, island, true);
});

test('another head, by mouse or keyboard, gives other scores and weights, still masked', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const first = await row(island);
  await island.getByRole('group', { name: 'Layer' }).getByRole('radio', { name: '1', exact: true }).click();
  await expect(island).toHaveAttribute('data-head', '1.2');
  const other = await row(island);
  expect(other.scores).not.toEqual(first.scores);
  expectRow(other, true);
  await island.getByRole('group', { name: 'Head' }).getByRole('radio', { name: '2', exact: true }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(island).toHaveAttribute('data-head', '1.3');
  expectRow(await row(island), true);
  // A click on a cell picks its row.
  const box = (await island.locator('svg.map rect:is([data-value], [data-masked])').nth(3 * N + 1).boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await expect(island.locator('[data-row-table] caption')).toContainText('Row 3,');
  expectRow(await row(island), true);
});

async function headWith(browser: Browser, search: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const island = await open(page, search);
  const backend = await ready(island);
  await island.getByRole('group', { name: 'Layer' }).getByRole('radio', { name: '1', exact: true }).click();
  await island.getByRole('group', { name: 'Head' }).getByRole('radio', { name: '0', exact: true }).click();
  await expect(island).toHaveAttribute('data-head', '1.0');
  await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', backend);
  const masked = { map: await mapWeights(island), row: await row(island) };
  const before = await renders(island);
  await island.getByRole('checkbox', { name: /Causal mask/ }).click();
  await expect.poll(() => renders(island)).toBeGreaterThan(before);
  const open_ = { map: await mapWeights(island), row: await row(island) };
  await context.close();
  return { backend, masked, open: open_ };
}

test('WebGPU and the CPU give the same scores and weights within 1e-5, masked and not', async ({ browser }) => {
  const gpu = await headWith(browser, '');
  const cpu = await headWith(browser, '?compute=cpu');
  expect([gpu.backend, cpu.backend]).toEqual(['webgpu', 'cpu']);
  for (const view of ['masked', 'open'] as const) {
    gpu[view].map.forEach((w, k) => (w === null ? expect(cpu[view].map[k]).toBeNull() : expect(Math.abs(w - cpu[view].map[k]!)).toBeLessThan(1e-5)));
    gpu[view].row.scores.forEach((s, j) => {
      if (s === '-Infinity') expect(cpu[view].row.scores[j]).toBe(s);
      else expect(Math.abs(Number(s) - Number(cpu[view].row.scores[j]))).toBeLessThan(1e-5);
    });
  }
  expectRow(cpu.masked.row, true);
  expectRow(gpu.masked.row, true);
});

test('when the model cannot load, the island says so and keeps the build’s numbers', async ({ page }) => {
  await page.route('**/models/decoder.bin', (route) => route.abort());
  const island = await open(page);
  await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'failed', MODEL_READY);
  await expect(island.locator('[data-failed]')).toContainText('could not run here');
  expectRow(await row(island), true);
});

test('at 360 px nothing overflows', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const island = await open(page);
  await ready(island);
  await island.getByRole('checkbox', { name: /Causal mask/ }).click();
  await expect(island).toHaveAttribute('data-causal', 'off');
  await expectNoOverflow(page, island);
});

for (const theme of ['light', 'dark'] as const) {
  test(`axe finds no WCAG A or AA violation in the hydrated island, ${theme} theme`, async ({ page }) => {
    await page.addInitScript((t) => localStorage.setItem('theme', t), theme);
    const island = await open(page);
    await ready(island);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await expectAccessible(page, ISLAND);
  });
}

test.describe('link', () => {
  test('a view changed by mouse and keyboard opens again from its link with the same numbers', async ({ page, browser }) => {
    const island = await open(page);
    await ready(island);
    await island.getByRole('checkbox', { name: /Causal mask/ }).click();
    await island.getByRole('group', { name: 'Layer' }).getByRole('radio', { name: '1', exact: true }).click();
    await island.getByRole('group', { name: 'Head' }).getByRole('radio', { name: '3', exact: true }).click();
    await expect(island).toHaveAttribute('data-head', '1.3');
    await expect(island).toHaveAttribute('data-causal', 'off');
    await island.locator('svg.map').focus();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowLeft');
    await expect(island).toHaveAttribute('data-share', 'mask=off&layer=1&head=3&token=7&key=10');
    const share = (await island.getAttribute('data-share'))!;
    const shown = { row: await row(island), map: await mapWeights(island) };
    const again = await reopen(browser, chapterLink(CHAPTER, 'causal-mask', share), ISLAND, share, async (other) => ({ row: await row(other), map: await mapWeights(other) }));
    expect(again).toEqual(shown);
  });

  test('hostile or impossible values are refused with a notice and the built view is kept', async ({ page }) => {
    await expectRefusedAt(page, CHAPTER, 'causal-mask', ISLAND, { mask: '<script>alert(1)</script>', layer: '1e309', head: 'NaN', token: String(N), key: '<img src=x onerror=alert(1)>' });
  });
});
