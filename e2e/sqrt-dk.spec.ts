import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { openIsland } from './site';

/**
 * The √d_k demo in chapter 2: random queries and keys at a chosen width,
 * the division by √d_k on or off, and what the softmax makes of the scores.
 */

const CHAPTER = '/chapters/query-key-value/';

const open = (page: Page, search = ''): Promise<Locator> => openIsland(page, CHAPTER, '.sqrt-dk', search);

interface Shown {
  dk: number;
  divisor: string;
  seed: number;
  renders: number;
  keys: number;
  entropy: number;
  max: number;
  jacobian: number;
  jacobianMedian: number;
  saturated: number;
  spread: number;
  scores: number[];
  weights: number[];
}

/** Everything the island shows, at the full precision of its data attributes. */
function read(island: Locator): Promise<Shown> {
  return island.evaluate((root) => {
    const number = (selector: string, name: string) => Number((selector ? root.querySelector(selector)! : root).getAttribute(name));
    const rows = [...root.querySelectorAll('[data-row-table] tbody tr')];
    return {
      dk: number('', 'data-dk'),
      divisor: root.getAttribute('data-divisor')!,
      seed: number('', 'data-seed'),
      renders: number('', 'data-renders'),
      keys: number('', 'data-keys'),
      entropy: number('[data-entropy]', 'data-entropy'),
      max: number('[data-max-weight]', 'data-max-weight'),
      jacobian: number('[data-jacobian]', 'data-jacobian'),
      jacobianMedian: number('[data-jacobian-median]', 'data-jacobian-median'),
      saturated: number('[data-saturated]', 'data-saturated'),
      spread: number('[data-spread]', 'data-spread'),
      scores: rows.map((tr) => Number(tr.querySelectorAll('td')[0]!.getAttribute('data-value'))),
      weights: rows.map((tr) => Number(tr.querySelectorAll('td')[1]!.getAttribute('data-value'))),
    };
  });
}

/** Waits until the island shows the state asked for, computed after `before` renders. */
async function shownAt(island: Locator, dk: number, divisor: 'on' | 'off', before: number): Promise<Shown> {
  await expect(island).toHaveAttribute('data-dk', String(dk));
  await expect(island).toHaveAttribute('data-divisor', divisor);
  await expect.poll(async () => (await read(island)).renders).toBeGreaterThan(before);
  return read(island);
}

/** Moves the width slider to d_k with the keyboard: Home is d_k = 1, each ArrowRight doubles it. */
async function widthTo(page: Page, island: Locator, dk: number) {
  await island.getByRole('slider').focus();
  await page.keyboard.press('Home');
  for (let w = 1; w < dk; w *= 2) await page.keyboard.press('ArrowRight');
  await expect(island.locator('[data-width-shown]')).toHaveText(String(dk));
}

function expectRowSumsToOne(shown: Shown) {
  expect(shown.weights).toHaveLength(shown.keys);
  expect(Math.abs(shown.weights.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
}

const maxDifference = (a: number[], b: number[]) => {
  expect(a).toHaveLength(b.length);
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
};

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the figure shows real numbers, computed when the page was built', async ({ page }) => {
    await page.goto(CHAPTER);
    const island = page.locator('.sqrt-dk');
    await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'static');
    const shown = await read(island);
    expectRowSumsToOne(shown);
    expect(shown.entropy).toBeGreaterThan(0);
    expect(shown.entropy).toBeLessThanOrEqual(Math.log(shown.keys) + 1e-6);
    await expect(island.locator('[data-entropy]')).toContainText(/\d\.\d\d nats/);
    await expect(island.locator('[data-width-shown]')).toHaveText(String(shown.dk));
    await expect(island.locator('[data-sentence]')).toContainText(/^(Divided by|Without the division|At d_k = 1)/);
  });
});

test('mean entropy falls as d_k grows without the divisor, and stays level with it', async ({ page }) => {
  const island = await open(page);
  const widths = [1, 16, 256, 1024];
  const entropies = { off: [] as number[], on: [] as number[] };
  const last = { off: undefined as Shown | undefined, on: undefined as Shown | undefined };
  let renders = (await read(island)).renders;
  for (const divisor of ['off', 'on'] as const) {
    const box = island.getByRole('checkbox', { name: /Divide the scores by/ });
    if ((await box.isChecked()) !== (divisor === 'on')) await box.click();
    for (const dk of widths) {
      await widthTo(page, island, dk);
      const shown = await shownAt(island, dk, divisor, renders);
      renders = shown.renders;
      expectRowSumsToOne(shown);
      entropies[divisor].push(shown.entropy);
      last[divisor] = shown;
    }
  }
  const lnM = Math.log(last.on!.keys);
  // Without the divisor the spread of the scores grows as √d_k and the rows saturate:
  // each step down in entropy is strict, and at d_k = 1024 the rows are close to one-hot.
  for (let i = 1; i < widths.length; i++) expect(entropies.off[i]!).toBeLessThan(entropies.off[i - 1]!);
  expect(entropies.off.at(-1)!).toBeLessThan(lnM / 4);
  // With it, every width gives the same distribution of scores (variance 1),
  // so the mean entropy differs only by sampling noise. Over 400 draws of
  // these 128 queries and 16 keys, the four values' range had a median of
  // 0.13 nats and a 95th percentile of 0.25; the noise comes mostly from
  // d_k = 1, where every score in a row is q_1 k_j and so depends on just the
  // 16 numbers k_j. Within ±0.15 nats of their midpoint (a range of 0.3) is
  // therefore a band this draw should meet, and one the unscaled values,
  // whose range is several nats, could not.
  expect(Math.max(...entropies.on) - Math.min(...entropies.on)).toBeLessThan(0.3);
  expect(Math.min(...entropies.on)).toBeGreaterThan(entropies.off.at(-1)! + 1);
  // The saturation the paper describes: at d_k = 1024 without the divisor the
  // largest weight is nearer 1, more rows are one-hot, and the softmax passes
  // back a far smaller gradient than with the divisor.
  expect(last.off!.max).toBeGreaterThan(last.on!.max);
  expect(last.off!.saturated).toBeGreaterThan(last.on!.saturated);
  expect(last.off!.jacobianMedian).toBeLessThan(last.on!.jacobianMedian / 100);
  expect(last.off!.spread).toBeGreaterThan(10 * last.on!.spread);
  await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'webgpu');
});

test('the slider works from the keyboard, and the checkbox and the new draw from the mouse', async ({ page }) => {
  const island = await open(page);
  const first = await read(island);
  const slider = island.getByRole('slider');
  await slider.focus();
  await page.keyboard.press('ArrowRight');
  await expect(island.locator('[data-width-shown]')).toHaveText(String(2 * first.dk));
  const wider = await shownAt(island, 2 * first.dk, 'on', first.renders);
  await expect(slider).toHaveAttribute('aria-valuetext', `d_k = ${2 * first.dk}`);
  expectRowSumsToOne(wider);
  expect(maxDifference(wider.weights, first.weights)).toBeGreaterThan(1e-3);

  await page.keyboard.press('End');
  const widest = await shownAt(island, 1024, 'on', wider.renders);
  expectRowSumsToOne(widest);

  await island.getByRole('checkbox', { name: /Divide the scores by/ }).click();
  const raw = await shownAt(island, 1024, 'off', widest.renders);
  expect(raw.max).toBeGreaterThan(widest.max);
  await expect(island.locator('[data-sentence]')).toContainText('Without the division at d_k = 1024');

  await island.getByRole('button', { name: 'New random draw' }).click();
  await expect(island).toHaveAttribute('data-seed', String(raw.seed + 1));
  const redrawn = await shownAt(island, 1024, 'off', raw.renders);
  expect(maxDifference(redrawn.scores, raw.scores)).toBeGreaterThan(1e-3);
  expectRowSumsToOne(redrawn);

  // Keyboard on the checkbox too.
  await island.getByRole('checkbox', { name: /Divide the scores by/ }).focus();
  await page.keyboard.press('Space');
  await shownAt(island, 1024, 'on', redrawn.renders);
});

test('the browser computes the same numbers as the build did', async ({ page }) => {
  const island = await open(page);
  const built = await read(island);
  await island.getByRole('slider').focus();
  await page.keyboard.press('ArrowRight');
  const wider = await shownAt(island, 2 * built.dk, 'on', built.renders);
  await page.keyboard.press('ArrowLeft');
  const back = await shownAt(island, built.dk, 'on', wider.renders);
  expect(maxDifference(back.weights, built.weights)).toBeLessThan(1e-5);
  expect(Math.abs(back.entropy - built.entropy)).toBeLessThan(1e-5);
  expect(Math.abs(back.max - built.max)).toBeLessThan(1e-5);
});

async function drawWith(browser: Browser, forceCpu: boolean) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const island = await open(page, forceCpu ? '?compute=cpu' : '');
  const first = await read(island);
  await island.getByRole('slider').focus();
  await page.keyboard.press('ArrowRight');
  const shown = await shownAt(island, 2 * first.dk, 'on', first.renders);
  const backend = await island.locator('[data-compute-target]').getAttribute('data-compute-target');
  await context.close();
  return { shown, backend };
}

test('WebGPU and the CPU show the same numbers within 1e-5', async ({ browser }) => {
  const gpu = await drawWith(browser, false);
  const cpu = await drawWith(browser, true);
  expect(gpu.backend).toBe('webgpu');
  expect(cpu.backend).toBe('cpu');
  expect(maxDifference(gpu.shown.weights, cpu.shown.weights)).toBeLessThan(1e-5);
  for (const key of ['entropy', 'max', 'jacobian', 'jacobianMedian'] as const) {
    expect(Math.abs(gpu.shown[key] - cpu.shown[key])).toBeLessThan(1e-5);
  }
});

test('the widest view, d_k = 1024 without the division, is the same on WebGPU and the CPU within 1e-5', async ({ browser }) => {
  // Scores near ±100 here: the view where float32 rounding of the scores shows most in the weights.
  const widest = async (forceCpu: boolean) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const island = await open(page, forceCpu ? '?compute=cpu' : '');
    const first = await read(island);
    await widthTo(page, island, 1024);
    const divided = await shownAt(island, 1024, 'on', first.renders);
    await island.getByRole('checkbox', { name: /Divide the scores by/ }).click();
    const shown = await shownAt(island, 1024, 'off', divided.renders);
    const backend = await island.locator('[data-compute-target]').getAttribute('data-compute-target');
    await context.close();
    return { shown, backend };
  };
  const gpu = await widest(false);
  const cpu = await widest(true);
  expect([gpu.backend, cpu.backend]).toEqual(['webgpu', 'cpu']);
  expect(gpu.shown.max).toBeGreaterThan(0.9);
  expect(maxDifference(gpu.shown.weights, cpu.shown.weights)).toBeLessThan(1e-5);
  for (const key of ['entropy', 'max', 'jacobian', 'jacobianMedian'] as const) {
    expect(Math.abs(gpu.shown[key] - cpu.shown[key])).toBeLessThan(1e-5);
  }
});

test('the trained model’s queries and keys: d_k fixed at 8, weights over the sentence’s tokens, sharper without the division', async ({ page }) => {
  const island = await open(page);
  const first = await read(island);
  await island.getByRole('radio', { name: /the trained model/ }).check();
  await expect(island).toHaveAttribute('data-source', 'model');
  const divided = await shownAt(island, 8, 'on', first.renders);
  await expect(island.getByRole('slider')).toBeDisabled();
  // <bos> and the 11 tokens of the running sentence; 2 layers × 4 heads × 12 queries.
  expect(divided.keys).toBe(12);
  await expect(island).toHaveAttribute('data-queries', '96');
  expectRowSumsToOne(divided);
  await expect(island.locator('[data-row-table] tbody th').nth(2)).toHaveText('“cat”');
  await expect(island.locator('[data-sentence]')).toContainText('The trained model’s own queries and keys');

  await island.getByRole('checkbox', { name: /Divide the scores by/ }).click();
  const raw = await shownAt(island, 8, 'off', divided.renders);
  expectRowSumsToOne(raw);
  expect(raw.spread / divided.spread).toBeCloseTo(Math.sqrt(8), 3);
  expect(raw.entropy).toBeLessThan(divided.entropy);
  expect(raw.max).toBeGreaterThan(divided.max);

  // Back to random: the slider and the draw return.
  await island.getByRole('radio', { name: /random/ }).check();
  await expect(island).toHaveAttribute('data-source', 'random');
  await expect(island.getByRole('slider')).toBeEnabled();
});

for (const theme of ['light', 'dark'] as const) {
  test(`axe finds no WCAG A or AA violation in the hydrated demo, ${theme} theme`, async ({ page }) => {
    await page.addInitScript((t) => localStorage.setItem('theme', t), theme);
    const island = await open(page);
    const first = await read(island);
    await island.getByRole('checkbox', { name: /Divide the scores by/ }).click();
    await shownAt(island, first.dk, 'off', first.renders);
    const results = await new AxeBuilder({ page }).include('.sqrt-dk').withTags(['wcag2a', 'wcag2aa']).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
  });
}

test('at 360 px wide nothing overflows', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const island = await open(page);
  const first = await read(island);
  await island.getByRole('slider').focus();
  await page.keyboard.press('End');
  await island.getByRole('checkbox', { name: /Divide the scores by/ }).click();
  await shownAt(island, 1024, 'off', first.renders);
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth }));
  expect(widths.page).toBeLessThanOrEqual(widths.viewport);
  const box = await island.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  expect(box.scroll).toBeLessThanOrEqual(box.client);
});
