import { expect, test, type Locator, type Page } from '@playwright/test';
import { passFlops, WIDTH, type Measured } from '../src/islands/bench/bench';
import { expectAccessible, expectNoOverflow, openIsland, ready } from './site';
import { arithmetic, chapterLink, expectRefusedAt, reopen } from './share-link';

/**
 * The in-page benchmark in chapter 5: untiled and tiled attention timed on
 * the reader's engine for growing N, cancellable, with results as JSON.
 */

const CHAPTER = '/chapters/making-it-scale/';
const ISLAND = '[data-gpu-benchmark]';
const RUN = { timeout: 60_000 };

const open = (page: Page, search = ''): Promise<Locator> => openIsland(page, CHAPTER, ISLAND, search);

type Result = Measured;

/** Runs up to N = 256 and returns the copied JSON, parsed. */
async function runSmall(island: Locator): Promise<{ backend: string; width: number; results: Result[] }> {
  await island.getByRole('combobox', { name: /Up to/ }).selectOption('256');
  await island.getByRole('button', { name: 'Run' }).click();
  await expect(island).toHaveAttribute('data-state', 'done', RUN);
  return JSON.parse(await island.locator('[data-json]').inputValue()) as { backend: string; width: number; results: Result[] };
}

function expectSound(results: Result[]) {
  expect(results.map((r) => r.n)).toEqual([128, 256]);
  for (const r of results) {
    expect(r.naiveRefused).toBeNull();
    expect(r.naiveMs!).toBeGreaterThan(0);
    expect(r.flashMs).toBeGreaterThan(0);
    expect(r.flashGflops).toBeCloseTo(passFlops(r.n, WIDTH) / (r.flashMs * 1e6), 6);
    expect(r.difference!).toBeLessThan(1e-5);
  }
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the figure shows the plan: the sizes, and where the untiled pass will not fit', async ({ page }) => {
    await page.goto(CHAPTER);
    const island = page.locator(ISLAND);
    await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'static');
    await expect(island.locator('tbody tr')).toHaveCount(4);
    await expect(island.locator('tbody tr').first()).toContainText('not run yet');
  });
});

test('completes for small N on WebGPU, with GFLOP/s, the difference at rounding level and JSON that parses', async ({ page }) => {
  const island = await open(page);
  const json = await runSmall(island);
  expect(await ready(island)).toBe('webgpu');
  expect(json.backend).toMatch(/^webgpu/);
  expect(json.width).toBe(WIDTH);
  expectSound(json.results);
  // Every size says where it ran: here all on WebGPU, so no row is marked as fallen back to the CPU.
  expect(json.results.map((r) => r.backend)).toEqual(['webgpu', 'webgpu']);
  await expect(island.locator('[data-fell-back]')).toHaveCount(0);
  await expect(island.locator('tbody tr[data-done]')).toHaveCount(2);
  await island.getByRole('button', { name: 'Copy' }).click();
  await expect(island.locator('.json [role="status"]')).not.toBeEmpty();
});

test('completes for small N on the CPU (?compute=cpu)', async ({ page }) => {
  const island = await open(page, '?compute=cpu');
  const json = await runSmall(island);
  expect(await ready(island)).toBe('cpu');
  expect(json.backend).toMatch(/^cpu/);
  expectSound(json.results);
  expect(json.results.map((r) => r.backend)).toEqual(['cpu', 'cpu']);
});

test('Cancel stops after the current size, from the keyboard', async ({ page }) => {
  const island = await open(page, '?compute=cpu');
  await island.getByRole('combobox', { name: /Up to/ }).selectOption('16384');
  await island.getByRole('button', { name: 'Run' }).focus();
  await page.keyboard.press('Enter');
  await expect(island).toHaveAttribute('data-state', 'running');
  const cancel = island.getByRole('button', { name: 'Cancel' });
  await cancel.focus();
  await page.keyboard.press('Enter');
  await expect(island).toHaveAttribute('data-state', 'cancelled', RUN);
  const done = Number(await island.getAttribute('data-rows'));
  expect(done).toBeLessThan(8);
  await expect(island.locator('[data-state-text]')).toContainText(`Cancelled after ${done} of 8`);
  if (done > 0) JSON.parse(await island.locator('[data-json]').inputValue());
  // It stays stopped, and can run again.
  await page.waitForTimeout(500);
  expect(Number(await island.getAttribute('data-rows'))).toBe(done);
  await expect(island.getByRole('button', { name: 'Run' })).toBeEnabled();
});

test('the page stays responsive while it runs', async ({ page }) => {
  const island = await open(page, '?compute=cpu');
  await island.getByRole('combobox', { name: /Up to/ }).selectOption('4096');
  await island.getByRole('button', { name: 'Run' }).click();
  // The main thread answers within a frame or two while sizes are timed.
  const gaps = await page.evaluate(async () => {
    const longest: number[] = [];
    let last = performance.now();
    for (let i = 0; i < 40; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const now = performance.now();
      longest.push(now - last);
      last = now;
    }
    return longest;
  });
  expect(Math.max(...gaps)).toBeLessThan(500);
  await island.getByRole('button', { name: 'Cancel' }).click();
  await expect(island).toHaveAttribute('data-state', 'cancelled', RUN);
});

test('at 360 px nothing overflows', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const island = await open(page);
  await runSmall(island);
  await expectNoOverflow(page, island);
});

for (const theme of ['light', 'dark'] as const) {
  test(`axe finds no WCAG violation after a run, ${theme} theme`, async ({ page }) => {
    await page.addInitScript((t) => localStorage.setItem('theme', t), theme);
    const island = await open(page);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await runSmall(island);
    await expectAccessible(page, ISLAND);
  });
}

test.describe('link', () => {
  const planned = (island: Locator) => island.locator('[data-results] tbody tr').evaluateAll((rows) => rows.map((tr) => `${tr.getAttribute('data-n')}: ${tr.textContent!.trim()}`));

  test('the sizes picked open again from the link, planned and not run', async ({ page, browser }) => {
    const island = await open(page);
    await island.getByRole('combobox', { name: /Up to/ }).selectOption('4096');
    await expect(island).toHaveAttribute('data-share', 'n=4096');
    const shown = await planned(island);
    const again = await reopen(browser, chapterLink(CHAPTER, 'gpu-benchmark', 'n=4096'), ISLAND, 'n=4096', async (other) => {
      await expect(other).toHaveAttribute('data-state', 'idle');
      await expect(other.getByRole('combobox', { name: /Up to/ })).toHaveValue('4096');
      return planned(other);
    }, arithmetic);
    expect(again).toEqual(shown);
  });

  test('hostile values are refused with a notice and the built plan is kept', async ({ page }) => {
    await expectRefusedAt(page, CHAPTER, 'gpu-benchmark', ISLAND, { n: '<script>alert(1)</script>', head: 'NaN' }, arithmetic);
    await expectRefusedAt(page, CHAPTER, 'gpu-benchmark', ISLAND, { n: '1e309' }, arithmetic);
  });
});
