import { expect, test, type Locator, type Page } from '@playwright/test';
import { expectAccessible, expectNoOverflow, openIsland } from './site';
import { arithmetic, chapterLink, expectRefusedAt, reopen } from './share-link';

const CHAPTER = '/chapters/making-it-scale/';
const ISLAND = '[data-cost-n2]';
const open = (page: Page, search = '') => openIsland(page, CHAPTER, ISLAND, search);
const bytes = async (island: Locator, key: 'head' | 'layer' | 'model') => Number(await island.locator(`[data-size="${key}"]`).getAttribute('data-bytes'));
const over = (island: Locator, row: string, device: string) => island.locator(`[data-fits="${row}-${device}"]`);

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('shows the build-time sizes: Llama 2 7B’s shape at 8,192 tokens in fp16', async ({ page }) => {
    await page.goto(CHAPTER);
    const island = page.locator(ISLAND);
    await expect(island).toHaveAttribute('data-n', '8192');
    await expect(island.locator('[data-size="head"]')).toHaveText('128 MiB');
    await expect(island.locator('[data-size="model"]')).toHaveText('128 GiB');
    await expect(over(island, 'model', 'gpu')).toHaveAttribute('data-over', 'yes');
    await expect(over(island, 'head', 'phone')).toHaveAttribute('data-over', 'no');
    await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'static');
    await expect(island.getByRole('slider')).toBeDisabled();
  });
});

test('the slider moves the length from the keyboard, and the sizes grow with its square', async ({ page }) => {
  const island = await open(page);
  const before = await bytes(island, 'head');
  const slider = island.getByRole('slider');
  await slider.focus();
  // Four quarter-steps double the length: four times the bytes.
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
  await expect(island).toHaveAttribute('data-n', '16384');
  await expect(slider).toHaveAttribute('aria-valuetext', 'n = 16,384 tokens');
  expect(await bytes(island, 'head')).toBe(4 * before);
  await page.keyboard.press('End');
  await expect(island).toHaveAttribute('data-n', '1048576');
  await expect(island.locator('[data-size="head"]')).toHaveText('2 TiB');
  await expect(over(island, 'head', 'gpu')).toHaveAttribute('data-over', 'yes');
  await page.keyboard.press('Home');
  await expect(island).toHaveAttribute('data-n', '512');
  await expect(island.locator('[data-size="head"]')).toHaveText('512 KiB');
  expect(Number(await island.getAttribute('data-renders'))).toBeGreaterThanOrEqual(6);
});

test('typed numbers, heads, layers and precision change the figure; the device limits follow', async ({ page }) => {
  const island = await open(page);
  const length = island.getByRole('textbox', { name: /Sequence length/ });
  await length.fill('100,000');
  await length.press('Enter');
  await expect(island).toHaveAttribute('data-n', '100000');
  expect(await bytes(island, 'head')).toBe(100_000 * 100_000 * 2);
  await expect(island.locator('[data-op="qk"]')).toHaveAttribute('data-macs', String(100_000 * 100_000 * 128));

  await island.getByRole('textbox', { name: /Heads/ }).fill('1');
  await island.getByRole('textbox', { name: /Layers/ }).fill('1');
  await island.getByRole('combobox', { name: 'Precision' }).selectOption('fp8');
  await expect(island).toHaveAttribute('data-precision', 'fp8');
  await expect(island).toHaveAttribute('data-heads', '1');
  await expect(island).toHaveAttribute('data-layers', '1');
  expect(await bytes(island, 'model')).toBe(100_000 * 100_000);
  // One fp8 matrix outgrows the 80 GiB H100 from n = 2^17 · √5 ≈ 293,085.9.
  await expect(island.locator('[data-limit="gpu"]')).toHaveAttribute('data-model-limit', '293086');
  await expect(island.locator('[data-limit="phone"]')).toHaveAttribute('data-model-limit', '92682');
  await expect(over(island, 'model', 'phone')).toHaveAttribute('data-over', 'yes');
  await expect(over(island, 'model', 'gpu')).toHaveAttribute('data-over', 'no');
});

test('bad input keeps the last good figure and says what is wrong', async ({ page }) => {
  const island = await open(page);
  const length = island.getByRole('textbox', { name: /Sequence length/ });
  for (const bad of ['lots', '100', '2000000', '-5']) {
    await length.fill(bad);
    await length.press('Enter');
    await expect(island.getByRole('alert')).toContainText('The length n must be');
    await expect(island).toHaveAttribute('data-n', '8192');
    await expect(island.locator('[data-size="head"]')).toHaveText('128 MiB');
  }
  await island.getByRole('textbox', { name: /Heads/ }).fill('0');
  await island.getByRole('textbox', { name: /Heads/ }).press('Enter');
  await expect(island.getByRole('alert')).not.toBeEmpty();
  await length.fill('4096');
  await island.getByRole('textbox', { name: /Heads/ }).fill('32');
  await island.getByRole('textbox', { name: /Heads/ }).press('Enter');
  await expect(island.getByRole('alert')).toBeEmpty();
  await expect(island).toHaveAttribute('data-n', '4096');
});

for (const theme of ['light', 'dark'] as const) {
  test(`axe finds no WCAG A or AA violation once hydrated, ${theme} theme`, async ({ page }) => {
    await page.addInitScript((t) => localStorage.setItem('theme', t), theme);
    const island = await open(page);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await island.getByRole('slider').focus();
    await page.keyboard.press('End');
    await expect(island).toHaveAttribute('data-n', '1048576');
    await expectAccessible(page, ISLAND);
  });
}

test('at 360 px wide nothing overflows', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const island = await open(page);
  await island.getByRole('slider').focus();
  await page.keyboard.press('End');
  await expect(island).toHaveAttribute('data-n', '1048576');
  await expectNoOverflow(page, island);
});

test.describe('link', () => {
  const figures = (island: Locator) =>
    island.evaluate((root) => [...root.querySelectorAll('[data-bytes], [data-macs], [data-model-limit], [data-over]')].map((el) => [...el.attributes].map((a) => `${a.name}=${a.value}`).join(' ')));

  test('a length, heads, layers, width and precision open again from the link with the same figures', async ({ page, browser }) => {
    const island = await open(page);
    const length = island.getByRole('textbox', { name: /Sequence length/ });
    await length.fill('100,000');
    await length.press('Enter');
    await island.getByRole('textbox', { name: /Heads/ }).fill('8');
    await island.getByRole('textbox', { name: /Layers/ }).fill('12');
    await island.getByRole('textbox', { name: /Layers/ }).press('Enter');
    await island.getByRole('combobox', { name: /Head width/ }).selectOption('64');
    await island.getByRole('combobox', { name: 'Precision' }).selectOption('fp32');
    await expect(island).toHaveAttribute('data-share', 'n=100000&heads=8&layers=12&dk=64&precision=fp32');
    const share = (await island.getAttribute('data-share'))!;
    const shown = await figures(island);
    expect(await reopen(browser, chapterLink(CHAPTER, 'cost-n2', share), ISLAND, share, figures, arithmetic)).toEqual(shown);
  });

  test('hostile or impossible values are refused with a notice and the built figure is kept', async ({ page }) => {
    await expectRefusedAt(page, CHAPTER, 'cost-n2', ISLAND, { n: '<script>alert(1)</script>', heads: '1e309', layers: 'NaN', dk: '100', precision: '<img src=x onerror=alert(1)>' }, arithmetic);
  });
});
