import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { expectAccessible, expectNoOverflow, MODEL_READY, openIsland, ready } from './site';
import { chapterLink, expectRefusedAt, reopen } from './share-link';

/**
 * Sparse patterns in chapter 5: one head of the trained decoder on a
 * 33-token passage, dense (causal) beside a sparse pattern, with the share
 * of pairs scored and the dense pairs the pattern loses.
 */

const CHAPTER = '/chapters/making-it-scale/';
const ISLAND = '[data-sparse-patterns]';
// <bos> and the 32 words of the passage.
const N = 33;
const THRESHOLD = 0.1;
const NAMES = { window: 'Local window', strided: 'Strided', fixed: 'Fixed', global: 'Global tokens', block: 'Block-sparse' } as const;
type Pattern = keyof typeof NAMES;

/** The patterns with the figure's default parameters (window 6, stride 6, summary 2, 2 global tokens, blocks of 6), written out independently. */
const ALLOWS: Record<Pattern, (i: number, j: number) => boolean> = {
  window: (i, j) => j <= i && i - j < 6,
  strided: (i, j) => j <= i && (i - j < 6 || (i - j) % 6 === 0),
  fixed: (i, j) => j <= i && (Math.floor(j / 6) === Math.floor(i / 6) || j % 6 >= 4),
  global: (i, j) => j <= i && (i - j < 6 || j < 2),
  block: (i, j) => j <= i && Math.floor(i / 6) - Math.floor(j / 6) <= 1,
};

const open = (page: Page, search = ''): Promise<Locator> => openIsland(page, CHAPTER, ISLAND, search);

/** A map's weights: each cell's data-value, null where hatched. */
async function mapWeights(island: Locator, which: 'dense' | 'sparse'): Promise<(number | null)[]> {
  return island
    .locator(`[data-${which}-map] svg.map rect:is([data-value], [data-masked])`)
    .evaluateAll((cells) => cells.map((c) => (c.hasAttribute('data-masked') ? null : Number(c.getAttribute('data-value')))));
}

async function lostShown(island: Locator): Promise<string[]> {
  return island.locator('[data-lost] li').evaluateAll((items) => items.map((li) => `${li.getAttribute('data-query')} ${li.getAttribute('data-key')}`));
}

async function pick(island: Locator, pattern: Pattern) {
  await island.getByRole('radio', { name: NAMES[pattern], exact: true }).click();
  await expect(island).toHaveAttribute('data-pattern', pattern);
}

/** Everything the figure claims about one pattern, checked against the page's own numbers. */
async function expectPattern(page: Page, island: Locator, pattern: Pattern) {
  const sparse = await mapWeights(island, 'sparse');
  const dense = await mapWeights(island, 'dense');
  expect(sparse).toHaveLength(N * N);
  // The hatched cells are exactly the pattern's; each row's weights sum to 1.
  sparse.forEach((w, k) => expect(w === null).toBe(!ALLOWS[pattern](Math.floor(k / N), k % N)));
  dense.forEach((w, k) => expect(w === null).toBe(k % N > Math.floor(k / N)));
  for (const weights of [sparse, dense]) {
    for (let i = 0; i < N; i++) {
      const row = weights.slice(i * N, (i + 1) * N).filter((w): w is number => w !== null);
      expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
    }
  }
  // The share shown is the count of unmasked cells.
  const allowed = sparse.filter((w) => w !== null).length;
  const share = island.locator('[data-scored]');
  await expect(share).toHaveAttribute('data-allowed', String(allowed));
  await expect(share.locator('[data-scored-all]')).toHaveText(`${((100 * allowed) / (N * N)).toFixed(1)}%`);
  await expect(share.locator('[data-scored-causal]')).toHaveText(`${((100 * allowed) / ((N * (N + 1)) / 2)).toFixed(1)}%`);
  // The pairs listed as lost are exactly the dense pairs of weight >= 0.1 the pattern masks, and the weight lost is theirs and the lighter ones'.
  const lost: string[] = [];
  let mass = 0;
  dense.forEach((w, k) => {
    if (w === null || sparse[k] !== null) return;
    mass += w;
    if (w >= THRESHOLD) lost.push(`${Math.floor(k / N)} ${k % N}`);
  });
  expect((await lostShown(island)).sort()).toEqual(lost.sort());
  expect(Math.abs(Number(await share.locator('[data-lost-mass]').getAttribute('data-value')) - mass / N)).toBeLessThan(1e-5);
  for (const which of ['dense', 'sparse'] as const) {
    const marks = island.locator(`[data-${which}-map] path.mark`);
    if (lost.length) await expect(marks).toHaveAttribute('data-marks', String(lost.length));
    else await expect(marks).toHaveCount(0);
  }
  // The last row in the table: masked keys weigh exactly 0.
  const map = island.locator('[data-sparse-map] svg.map');
  await map.focus();
  for (let i = 0; i < N; i++) await page.keyboard.press('ArrowDown');
  await expect(island.locator('[data-row-table] caption')).toContainText(`Row ${N - 1},`);
  const cells = await island.locator('[data-row-table] tbody td:last-child').evaluateAll((tds) => tds.map((td) => ({ value: td.getAttribute('data-value'), masked: td.hasAttribute('data-masked') })));
  expect(cells).toHaveLength(N);
  cells.forEach((c, j) => {
    expect(c.masked).toBe(!ALLOWS[pattern](N - 1, j));
    if (c.masked) expect(c.value).toBe('0');
    else expect(Number(c.value)).toBeGreaterThan(0);
  });
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('shows the build’s local window: its share of pairs, the heaviest pairs lost, outlined', async ({ page }) => {
    await page.goto(CHAPTER);
    const island = page.locator(ISLAND);
    await expect(island).toHaveAttribute('data-pattern', 'window');
    await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'static');
    // 1 + 2 + … + 6, then 6 for each of the other 27 rows.
    const allowed = 21 + 27 * 6;
    await expect(island.locator('[data-scored]')).toHaveAttribute('data-allowed', String(allowed));
    await expect(island.locator('[data-scored-all]')).toHaveText(`${((100 * allowed) / (N * N)).toFixed(1)}%`);
    await expect(island.locator('[data-lost] li')).toHaveCount(10);
    await expect(island.locator('[data-sparse-map] path.mark')).toHaveCount(1);
    await expect(island.locator('[data-sparse-map] svg.map')).toHaveAttribute('data-rows', String(N));
    await expect(island.getByRole('radio', { name: 'Strided' })).toBeDisabled();
    // No table comes without JavaScript, so no room is kept for one.
    await expect(island.locator('.rows')).toBeHidden();
  });
});

test('the row table keeps one height: before the browser computes, after, and for every row', async ({ page, browser }) => {
  // Before: the island's script held back, as on a slow connection; the page's own scripts have run.
  const held = await browser.newPage();
  await held.route('**/_astro/SparsePatterns.*.js', (route) => route.abort());
  await held.goto(CHAPTER);
  const before = held.locator(`${ISLAND} .rows`);
  await expect(before).toHaveText('');
  const height = (box: Locator) => box.evaluate((el) => el.getBoundingClientRect().height);
  const first = await height(before);
  expect(first).toBeGreaterThan(100);
  const row = new URLSearchParams((await held.locator(ISLAND).getAttribute('data-share')) ?? '').get('token');
  await held.close();

  const island = await open(page);
  await expect(island).toHaveAttribute('data-exact', '');
  const box = island.locator('.rows');
  await expect(box.locator('[data-row-table] caption')).toContainText(`Row ${row},`);
  expect(Math.abs((await height(box)) - first)).toBeLessThanOrEqual(1);
  // The last row lists all 33 keys, and scrolls inside the same box.
  await island.locator('[data-sparse-map] svg.map').focus();
  for (let i = 0; i < N; i++) await page.keyboard.press('ArrowDown');
  await expect(box.locator('[data-row-table] caption')).toContainText(`Row ${N - 1},`);
  await expect(box.locator('[data-row-table] tbody tr')).toHaveCount(N);
  expect(Math.abs((await height(box)) - first)).toBeLessThanOrEqual(1);
  expect(await box.locator('.row-scroll').evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
});

test('hydrates on WebGPU; every pattern masks exactly its cells, weighs them 0, and reports its share and losses from the same numbers', async ({ page }) => {
  test.setTimeout(120_000);
  const island = await open(page);
  expect(await ready(island)).toBe('webgpu');
  await expect(island).toHaveAttribute('data-exact', '');
  await expectPattern(page, island, 'window');
  for (const pattern of ['strided', 'fixed', 'global', 'block'] as const) {
    await pick(island, pattern);
    await expectPattern(page, island, pattern);
  }
});

test('parameters from the keyboard; bad values are refused with a message and the last good pattern kept', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const share = island.locator('[data-scored]');
  const window = island.getByRole('spinbutton', { name: 'Window' });
  await window.focus();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  // Window 7: 1 + … + 7, then 7 for each of the other 26 rows.
  await expect(share).toHaveAttribute('data-allowed', String(28 + 26 * 7));
  const before = await mapWeights(island, 'sparse');
  for (const bad of ['0', '34', '']) {
    await window.fill(bad);
    await window.press('Enter');
    await expect(island.getByRole('alert')).toContainText('The window must be a whole number from 1 to 33');
    await expect(window).toHaveAttribute('aria-invalid', 'true');
    await expect(share).toHaveAttribute('data-allowed', String(28 + 26 * 7));
    expect(await mapWeights(island, 'sparse')).toEqual(before);
  }
  await window.fill('1');
  await window.press('Enter');
  await expect(island.getByRole('alert')).toHaveCount(0);
  await expect(share).toHaveAttribute('data-allowed', String(N));

  // The fixed pattern's summary may not exceed its stride.
  await pick(island, 'fixed');
  const allowed = await share.getAttribute('data-allowed');
  const summary = island.getByRole('spinbutton', { name: 'Summary size' });
  await summary.fill('7');
  await summary.press('Enter');
  await expect(island.getByRole('alert')).toContainText('at most the stride');
  await expect(share).toHaveAttribute('data-allowed', allowed!);
  await summary.fill('6');
  await summary.press('Enter');
  await expect(island.getByRole('alert')).toHaveCount(0);
  // Summary = stride: every earlier key is a summary, so the pattern is the causal mask.
  await expect(share).toHaveAttribute('data-allowed', String((N * (N + 1)) / 2));
  await expect(island.locator('[data-lost]')).toHaveCount(0);

  // Another head by the keyboard.
  await island.getByRole('group', { name: 'Head' }).getByRole('radio').first().focus();
  await page.keyboard.press('ArrowRight');
  await expect(island).toHaveAttribute('data-head', /\.1$/);
});

async function numbers(browser: Browser, search: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const island = await open(page, search);
  const backend = await ready(island);
  const out: Record<string, (number | null)[]> = {};
  for (const pattern of ['fixed', 'block'] as const) {
    const before = Number(await island.getAttribute('data-renders'));
    await pick(island, pattern);
    await expect.poll(async () => Number(await island.getAttribute('data-renders'))).toBeGreaterThan(before);
    out[`${pattern} dense`] = await mapWeights(island, 'dense');
    out[`${pattern} sparse`] = await mapWeights(island, 'sparse');
  }
  await context.close();
  return { backend, out };
}

test('WebGPU and the CPU give the same weights within 1e-5', async ({ browser }) => {
  const gpu = await numbers(browser, '');
  const cpu = await numbers(browser, '?compute=cpu');
  expect([gpu.backend, cpu.backend]).toEqual(['webgpu', 'cpu']);
  for (const [key, values] of Object.entries(gpu.out)) {
    expect(values).toHaveLength(N * N);
    values.forEach((w, k) => (w === null ? expect(cpu.out[key]![k]).toBeNull() : expect(Math.abs(w - cpu.out[key]![k]!)).toBeLessThan(1e-5)));
  }
});

test('when the model cannot load, the island says so and keeps the build’s figure', async ({ page }) => {
  await page.route('**/models/decoder.bin', (route) => route.abort());
  const island = await open(page);
  await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'failed', MODEL_READY);
  await expect(island.locator('[data-failed]')).toContainText('could not run here');
  await expect(island.locator('[data-scored]')).toHaveAttribute('data-allowed', String(21 + 27 * 6));
  // No table will come, so the room kept for one is given back.
  await expect(island.locator('.rows')).toBeHidden();
});

test('at 360 px nothing overflows', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const island = await open(page);
  await ready(island);
  await pick(island, 'fixed');
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
  const everything = async (island: Locator) => ({
    dense: await mapWeights(island, 'dense'),
    sparse: await mapWeights(island, 'sparse'),
    lost: await lostShown(island),
    row: await island.locator('[data-row-table] td[data-value]').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-value'))),
    scored: await island.locator('[data-scored]').getAttribute('data-allowed'),
  });

  test('a pattern, its numbers, a head and a cell open again from the link with the same numbers', async ({ page, browser }) => {
    const island = await open(page);
    await ready(island);
    await pick(island, 'fixed');
    const stride = island.getByRole('spinbutton', { name: 'Stride' });
    await stride.fill('6');
    await stride.press('Enter');
    const summary = island.getByRole('spinbutton', { name: 'Summary size' });
    await summary.fill('2');
    await summary.press('Enter');
    await island.getByRole('group', { name: 'Layer' }).getByRole('radio', { name: '1', exact: true }).click();
    await island.getByRole('group', { name: 'Head' }).getByRole('radio', { name: '1', exact: true }).click();
    await island.locator('[data-sparse-map] svg.map').focus();
    await page.keyboard.press('ArrowDown');
    await expect(island).toHaveAttribute('data-share', /^pattern=fixed&stride=6&summary=2&layer=1&head=1&token=\d+&key=\d+$/);
    const share = (await island.getAttribute('data-share'))!;
    const shown = await everything(island);
    expect(await reopen(browser, chapterLink(CHAPTER, 'sparse-patterns', share), ISLAND, share, everything)).toEqual(shown);
  });

  test('hostile or impossible values are refused with a notice and the built view is kept', async ({ page }) => {
    await expectRefusedAt(page, CHAPTER, 'sparse-patterns', ISLAND, { pattern: '<script>alert(1)</script>', window: '1e309', head: 'NaN', block: String(N + 1), token: '<img src=x onerror=alert(1)>' });
  });
});
