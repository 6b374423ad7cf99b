import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { expectAccessible, expectNoOverflow, openIsland, ready } from './site';
import { arithmetic, chapterLink, expectRefusedAt, reopen } from './share-link';

const CHAPTER = '/chapters/making-it-scale/';
const ISLAND = '[data-kv-heads]';
const open = (page: Page, search = '') => openIsland(page, CHAPTER, ISLAND, search);

/** The last token's weights, a row per query head, from the map's cells. */
async function weights(island: Locator): Promise<number[]> {
  return island.locator('svg.map [data-value]').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-value'))));
}
function expectRowsSumToOne(values: number[]) {
  expect(values).toHaveLength(8 * 6);
  for (let h = 0; h < 8; h++) expect(Math.abs(values.slice(h * 6, (h + 1) * 6).reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
}
async function slideTo(page: Page, island: Locator, kv: number, key: string) {
  const renders = Number(await island.getAttribute('data-renders'));
  await island.getByRole('slider').focus();
  await page.keyboard.press(key);
  await expect(island).toHaveAttribute('data-kv', String(kv));
  await expect.poll(async () => Number(await island.getAttribute('data-renders'))).toBeGreaterThan(renders);
}
const field = (island: Locator, name: string) => island.locator(`[data-field="${name}"]`);

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('shows the build-time run (multi-head) and Llama 2 70B’s cache: 320 KiB a token, 1.25 GiB for 4,096', async ({ page }) => {
    await page.goto(CHAPTER);
    const island = page.locator(ISLAND);
    await expect(island).toHaveAttribute('data-kv', '8');
    expectRowsSumToOne(await weights(island));
    await expect(island.locator('[data-per-token]')).toHaveText('320 KiB');
    await expect(island.locator('[data-total]')).toHaveText('1.25 GiB');
    await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'static');
  });
});

test('the check values come out exactly from the presets and typed fields', async ({ page }) => {
  const island = await open(page);
  const model = island.getByRole('combobox', { name: 'Model' });
  await expect(island).toHaveAttribute('data-per-token-bytes', String(320 * 1024));
  await expect(island).toHaveAttribute('data-total-bytes', String(1.25 * 2 ** 30));

  await model.selectOption('llama2_70b_mha');
  await expect(island.locator('[data-total]')).toHaveText('10 GiB');
  await expect(island).toHaveAttribute('data-total-bytes', String(10 * 2 ** 30));

  await model.selectOption('llama2_7b');
  await expect(island.locator('[data-per-token]')).toHaveText('512 KiB');
  await expect(island.locator('[data-total]')).toHaveText('2 GiB');
  await expect(island).toHaveAttribute('data-total-bytes', String(2 * 2 ** 30));
  await expect(island).toContainText('Touvron et al. 2023');

  // Typed by hand: Llama 2 70B's shape with 64 KV heads, back to 8 from the keyboard.
  await field(island, 'layers').fill('80');
  await field(island, 'kvHeads').fill('64');
  await field(island, 'kvHeads').press('Enter');
  await expect(model).toHaveValue('llama2_70b_mha');
  await expect(island.locator('[data-total]')).toHaveText('10 GiB');
  await field(island, 'kvHeads').fill('8');
  await field(island, 'kvHeads').press('Enter');
  await expect(model).toHaveValue('llama2_70b');
  await expect(island.locator('[data-per-token]')).toHaveText('320 KiB');
  await expect(island.locator('[data-total]')).toHaveText('1.25 GiB');
  // Batch 8 and fp32: 8 × 2 × 1.25 GiB.
  await field(island, 'batch').fill('8');
  await island.getByRole('combobox', { name: 'Precision' }).selectOption('fp32');
  await expect(island.locator('[data-total]')).toHaveText('20 GiB');
});

test('bad or oversized calculator input keeps the last good result and says why', async ({ page }) => {
  const island = await open(page);
  for (const [name, bad, says] of [
    ['tokens', 'lots', /Tokens must be/],
    ['layers', '0', /Layers must be/],
    ['tokens', '2.5', /Tokens must be/],
  ] as const) {
    await field(island, name).fill(bad);
    await field(island, name).press('Enter');
    await expect(island.getByRole('alert')).toContainText(says);
    await expect(island.locator('[data-total]')).toHaveText('1.25 GiB');
    await field(island, name).fill(name === 'tokens' ? '4096' : '80');
  }
  // Each field is in range, but together they pass 2^53 bytes: refused, and the last good result (3.81 PiB at batch 1) stays.
  for (const [name, value] of [['layers', '1024'], ['kvHeads', '1024'], ['headDim', '1024'], ['tokens', '1000000']] as const) {
    await field(island, name).fill(value);
  }
  await field(island, 'tokens').press('Enter');
  await expect(island.locator('[data-total]')).toHaveText('3.81 PiB');
  await expect(island.getByRole('alert')).toBeEmpty();
  await field(island, 'batch').fill('4096');
  await field(island, 'batch').press('Enter');
  await expect(island.getByRole('alert')).toContainText('too large');
  await expect(island.locator('[data-total]')).toHaveText('3.81 PiB');
});

test('the slider morphs multi-head to grouped-query to multi-query on the engine; the output moves', async ({ page }) => {
  const island = await open(page);
  const first = await weights(island);
  await slideTo(page, island, 4, 'ArrowRight');
  expect(await ready(island)).toBe('webgpu');
  await expect(island.getByRole('slider')).toHaveAttribute('aria-valuetext', '4 key/value heads: grouped-query');
  await expect(island.locator('[data-kv-shown]')).toHaveText('4: grouped-query');
  expectRowsSumToOne(await weights(island));
  const grouped = Number(await island.locator('[data-max-diff]').getAttribute('data-max-diff'));
  expect(grouped).toBeGreaterThan(1e-3);
  await slideTo(page, island, 1, 'End');
  const single = await weights(island);
  expectRowsSumToOne(single);
  await expect(island).toContainText('Multi-query');
  // One shared key head: every query head scores the same keys, but with its own query, so its weights differ from multi-head's.
  expect(Math.max(...single.map((w, i) => Math.abs(w - first[i]!)))).toBeGreaterThan(1e-3);
  await slideTo(page, island, 8, 'Home');
  const back = await weights(island);
  // Back to multi-head: the build's numbers, within 1e-5.
  expect(Math.max(...back.map((w, i) => Math.abs(w - first[i]!)))).toBeLessThan(1e-5);
  await expect(island.locator('[data-max-diff]')).toHaveCount(0);
});

async function runAt(browser: Browser, search: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const island = await open(page, search);
  await slideTo(page, island, 4, 'ArrowRight');
  const result = { backend: await ready(island), weights: await weights(island), diff: Number(await island.locator('[data-max-diff]').getAttribute('data-max-diff')) };
  await context.close();
  return result;
}

test('WebGPU and the forced CPU show the same numbers within 1e-5', async ({ browser }) => {
  const gpu = await runAt(browser, '');
  const cpu = await runAt(browser, '?compute=cpu');
  expect([gpu.backend, cpu.backend]).toEqual(['webgpu', 'cpu']);
  expect(Math.max(...gpu.weights.map((w, i) => Math.abs(w - cpu.weights[i]!)))).toBeLessThan(1e-5);
  expect(Math.abs(gpu.diff - cpu.diff)).toBeLessThan(1e-5);
});

for (const theme of ['light', 'dark'] as const) {
  test(`axe finds no WCAG A or AA violation once hydrated, ${theme} theme`, async ({ page }) => {
    await page.addInitScript((t) => localStorage.setItem('theme', t), theme);
    const island = await open(page);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await slideTo(page, island, 4, 'ArrowRight');
    await expectAccessible(page, ISLAND);
  });
}

test('at 360 px wide nothing overflows', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const island = await open(page);
  await slideTo(page, island, 1, 'End');
  // The table of numbers too, opened: it scrolls in its own box.
  await island.getByText('The numbers').click();
  await expect(island.locator('table[data-weights]')).toBeVisible();
  await expect(island.locator('table[data-weights] caption')).toContainText('weights, query heads down, tokens across');
  await expectNoOverflow(page, island);
  const widest = await island.evaluate((el) => Math.max(...[...el.querySelectorAll('svg, details')].map((e) => e.getBoundingClientRect().right)));
  expect(widest).toBeLessThanOrEqual(360);
});

test.describe('link', () => {
  const figures = async (island: Locator) => ({
    weights: await weights(island),
    diff: await island.locator('[data-max-diff]').getAttribute('data-max-diff'),
    bytes: [await island.getAttribute('data-per-token-bytes'), await island.getAttribute('data-total-bytes')],
    model: await island.getByRole('combobox', { name: 'Model' }).inputValue(),
  });

  test('the slider and the calculator open again from the link with the same numbers', async ({ page, browser }) => {
    const island = await open(page);
    await slideTo(page, island, 4, 'ArrowRight');
    await slideTo(page, island, 2, 'ArrowRight');
    await island.getByRole('combobox', { name: 'Model' }).selectOption('llama2_7b');
    await field(island, 'tokens').fill('32768');
    await field(island, 'batch').fill('4');
    await field(island, 'batch').press('Enter');
    await island.getByRole('combobox', { name: 'Precision' }).selectOption('fp8');
    await expect(island).toHaveAttribute('data-share', 'kv=2&layers=32&kv-heads=32&dk=128&tokens=32768&batch=4&precision=fp8');
    const share = (await island.getAttribute('data-share'))!;
    const shown = await figures(island);
    expect(await reopen(browser, chapterLink(CHAPTER, 'kv-heads', share), ISLAND, share, figures)).toEqual(shown);
  });

  test('hostile values, and sizes too large together, are refused with a notice and the built figure is kept', async ({ page }) => {
    await expectRefusedAt(page, CHAPTER, 'kv-heads', ISLAND, { kv: '<script>alert(1)</script>', layers: '1e309', 'kv-heads': 'NaN', tokens: '99999999', dk: '<img src=x onerror=alert(1)>' }, arithmetic);
    await expectRefusedAt(page, CHAPTER, 'kv-heads', ISLAND, { layers: '1024', 'kv-heads': '1024', dk: '1024', tokens: '1000000', batch: '4096' }, arithmetic);
  });
});
