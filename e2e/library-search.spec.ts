import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { openIsland } from './site';
import { expectLinkReopens, expectRefused, HOSTILE } from './share-link';

/**
 * The library search in chapter 2: a query matched against the books' keys,
 * the weights, and the answer as the weighted mix of the books' values.
 */

const CHAPTER = '/chapters/query-key-value/';

const open = (page: Page, search = ''): Promise<Locator> => openIsland(page, CHAPTER, '.library', search);

interface Shown {
  text: string;
  renders: number;
  weights: number[];
  values: number[][];
  answer: number[];
  sum: number;
}

/** Everything the island shows, at the full precision of its data attributes. */
function read(island: Locator): Promise<Shown> {
  return island.evaluate((root) => {
    const number = (el: Element | null, name: string) => Number(el!.getAttribute(name));
    const books = [...root.querySelectorAll('li[data-book-value]')];
    return {
      text: root.getAttribute('data-query-text')!,
      renders: number(root, 'data-renders'),
      weights: books.map((li) => number(li.querySelector('[data-weight]'), 'data-weight')),
      values: books.map((li) => li.getAttribute('data-book-value')!.split(' ').map(Number)),
      answer: [...root.querySelectorAll('[data-answer] [data-value]')].map((el) => number(el, 'data-value')),
      sum: number(root.querySelector('[data-weight-sum]'), 'data-weight-sum'),
    };
  });
}

/** Waits until the island shows a search for `text` computed after `before` renders. */
async function shownFor(island: Locator, text: string, before: number): Promise<Shown> {
  await expect(island).toHaveAttribute('data-query-text', text);
  await expect.poll(async () => (await read(island)).renders).toBeGreaterThan(before);
  return read(island);
}

/** The checks every shown search must pass: weights sum to 1, and the answer is Σ weight × value, summed here in plain JavaScript. */
function expectConsistent(shown: Shown) {
  expect(shown.weights).toHaveLength(shown.values.length);
  const total = shown.weights.reduce((a, b) => a + b, 0);
  expect(Math.abs(total - 1)).toBeLessThan(1e-5);
  expect(Math.abs(shown.sum - 1)).toBeLessThan(1e-5);
  for (const w of shown.weights) expect(w).toBeGreaterThan(0);
  shown.answer.forEach((a, t) => {
    const mix = shown.weights.reduce((sum, w, i) => sum + w * shown.values[i]![t]!, 0);
    expect(Math.abs(a - mix)).toBeLessThan(1e-5);
  });
}

const maxDifference = (a: number[], b: number[]) => {
  expect(a).toHaveLength(b.length);
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
};

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the figure shows a real search, computed when the page was built', async ({ page }) => {
    await page.goto(CHAPTER);
    const island = page.locator('.library');
    await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'static');
    const shown = await read(island);
    expect(shown.text.length).toBeGreaterThan(0);
    expectConsistent(shown);
    // The weights are not all equal: the query matches some books better than others.
    expect(Math.max(...shown.weights) - Math.min(...shown.weights)).toBeGreaterThan(0.05);
    await expect(island.locator('[data-weight]').first()).toHaveText(/^\d\.\d\d$/);
    await expect(island.locator('[data-sentence]')).toContainText('The answer is');
  });
});

test('picking a search (mouse) and typing one (keyboard) change the weights and the answer, computed on WebGPU', async ({ page }) => {
  const island = await open(page);
  const first = await read(island);

  await island.getByRole('button', { name: 'kittens' }).click();
  const kittens = await shownFor(island, 'kittens', first.renders);
  await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'webgpu');
  await expect(island.getByRole('button', { name: 'kittens' })).toHaveAttribute('aria-pressed', 'true');
  expectConsistent(kittens);
  expect(maxDifference(kittens.weights, first.weights)).toBeGreaterThan(0.01);
  expect(maxDifference(kittens.answer, first.answer)).toBeGreaterThan(0.01);

  const input = island.getByLabel('Search the catalogue');
  await input.focus();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('planets and vegetables');
  const typed = await shownFor(island, 'planets and vegetables', kittens.renders);
  expectConsistent(typed);
  expect(maxDifference(typed.weights, kittens.weights)).toBeGreaterThan(0.01);
  await expect(island.locator('[data-query-vector]')).toHaveText('space 0.50 · gardening 0.50');
  // The books whose keys promise space or gardening gain weight over those that promise neither.
  const titles = await island.locator('li[data-book-value] cite').allTextContents();
  const weightOf = (title: string) => typed.weights[titles.indexOf(title)]!;
  expect(weightOf('Moon Gardens')).toBeGreaterThan(weightOf('Cats of Rome'));
});

test('the presets and the temperature work from the keyboard', async ({ page }) => {
  const island = await open(page);
  const first = await read(island);
  await island.getByRole('button', { name: 'kittens' }).focus();
  await page.keyboard.press('Tab');
  await expect(island.getByRole('button', { name: 'moon flowers' })).toBeFocused();
  await page.keyboard.press('Enter');
  const moon = await shownFor(island, 'moon flowers', first.renders);
  expectConsistent(moon);

  // A lower temperature sharpens the softmax: the largest weight grows.
  const slider = island.getByLabel('Softmax temperature (lower is sharper)');
  await slider.focus();
  await page.keyboard.press('ArrowLeft');
  await expect.poll(async () => (await read(island)).renders).toBeGreaterThan(moon.renders);
  const sharper = await read(island);
  expectConsistent(sharper);
  expect(Math.max(...sharper.weights)).toBeGreaterThan(Math.max(...moon.weights));
  await expect(island.locator('output[for="library-temperature"]')).toHaveText('1');
});

test('words outside the word list are listed as ignored and change nothing', async ({ page }) => {
  const island = await open(page);
  await island.getByRole('button', { name: 'kittens' }).click();
  const kittens = await shownFor(island, 'kittens', 0);
  await island.getByLabel('Search the catalogue').fill('kittens and zebras');
  const withUnknown = await shownFor(island, 'kittens and zebras', kittens.renders);
  await expect(island.locator('[data-ignored]')).toContainText('and');
  await expect(island.locator('[data-ignored]')).toContainText('zebras');
  // The query is each topic's share of the understood words, so ignored words leave the weights as they were.
  expect(maxDifference(withUnknown.weights, kittens.weights)).toBeLessThan(1e-6);
  await island.getByText('Words the search understands').click();
  await expect(island.locator('dl.words')).toContainText('kitten');
});

test('bad input says what is wrong and keeps the last search on screen', async ({ page }) => {
  const island = await open(page);
  await island.getByRole('button', { name: 'moon flowers' }).click();
  const good = await shownFor(island, 'moon flowers', 0);
  const input = island.getByLabel('Search the catalogue');
  const alert = island.getByRole('alert');
  const search = island.getByRole('button', { name: 'Search', exact: true });

  const expectKept = async () => {
    const now = await read(island);
    expect(now.text).toBe(good.text);
    expect(now.weights).toEqual(good.weights);
    expect(now.answer).toEqual(good.answer);
  };

  await input.fill('   ');
  await search.click();
  await expect(alert).toContainText('There are no words to search for');
  await expectKept();

  await input.fill('🐱🐱 🚀');
  await search.click();
  await expect(alert).toContainText('There are no words to search for');
  await expectKept();

  await input.fill('مكتبة الكتب');
  await search.click();
  await expect(alert).toContainText('None of these words');
  await expect(alert).toContainText('مكتبة');
  await expectKept();

  // Markup is read as plain text: the tags are dropped, the words inside are read.
  await input.fill('<b>kittens</b><script>alert(1)</script>');
  await search.click();
  const marked = await shownFor(island, '<b>kittens</b><script>alert(1)</script>', good.renders);
  await expect(island.locator('#library-message')).toBeEmpty();
  await expect(island.locator('[data-query-vector]')).toHaveText('cats 1.00');
  expectConsistent(marked);

  // Hundreds of words: the first ones are read, and the reader is told.
  await input.fill('stars '.repeat(300));
  await search.click();
  await expect(alert).toContainText('This search has 300 words; only the first 40 are read.');
  await expect.poll(async () => (await read(island)).renders).toBeGreaterThan(marked.renders);
  const long = await read(island);
  expectConsistent(long);
  await expect(island.locator('[data-query-vector]')).toHaveText('space 1.00');
});

async function searchWith(browser: Browser, forceCpu: boolean) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const island = await open(page, forceCpu ? '?compute=cpu' : '');
  await island.getByRole('button', { name: 'what to cook for dinner' }).click();
  const shown = await shownFor(island, 'what to cook for dinner', 0);
  const backend = await island.locator('[data-compute-target]').getAttribute('data-compute-target');
  await context.close();
  return { shown, backend };
}

test('WebGPU and the CPU show the same numbers within 1e-5', async ({ browser }) => {
  const gpu = await searchWith(browser, false);
  const cpu = await searchWith(browser, true);
  expect(gpu.backend).toBe('webgpu');
  expect(cpu.backend).toBe('cpu');
  expectConsistent(gpu.shown);
  expectConsistent(cpu.shown);
  expect(maxDifference(gpu.shown.weights, cpu.shown.weights)).toBeLessThan(1e-5);
  expect(maxDifference(gpu.shown.answer, cpu.shown.answer)).toBeLessThan(1e-5);
});

for (const theme of ['light', 'dark'] as const) {
  test(`axe finds no WCAG A or AA violation in the hydrated search, ${theme} theme`, async ({ page }) => {
    await page.addInitScript((t) => localStorage.setItem('theme', t), theme);
    const island = await open(page);
    await island.getByRole('button', { name: 'kittens' }).click();
    await shownFor(island, 'kittens', 0);
    await island.getByLabel('Search the catalogue').fill('kittens and zebras');
    await shownFor(island, 'kittens and zebras', 1);
    await island.getByText('Words the search understands').click();
    const results = await new AxeBuilder({ page }).include('.library').withTags(['wcag2a', 'wcag2aa']).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
  });
}

test('at 360 px wide nothing overflows, even with a long word', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const island = await open(page);
  await island.getByLabel('Search the catalogue').fill(`kittens ${'x'.repeat(200)}`);
  await shownFor(island, `kittens ${'x'.repeat(200)}`, 0);
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth }));
  expect(widths.page).toBeLessThanOrEqual(widths.viewport);
  const box = await island.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  expect(box.scroll).toBeLessThanOrEqual(box.client);
});

test.describe('link', () => {
  const DEMO = { chapter: CHAPTER, demo: 'library-search', selector: '.library' };
  const numbers = async (island: Locator) => {
    const { weights, answer, sum } = await read(island);
    return { weights, answer, sum };
  };

  test('a typed search and a temperature reopen from the link with the same weights and answer', async ({ page }) => {
    const island = await open(page);
    await island.getByLabel('Search the catalogue').fill('planets and vegetables');
    const typed = await shownFor(island, 'planets and vegetables', 0);
    await island.getByLabel(/^Softmax temperature/).focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(async () => (await read(island)).renders).toBeGreaterThan(typed.renders);
    await expect(island).toHaveAttribute('data-share', 'text=planets+and+vegetables&temperature=1');
    await expectLinkReopens(page, island, DEMO, numbers);
  });

  test('hostile settings are refused with a notice, and the default search stays', async ({ page }) => {
    await expectRefused(page, DEMO, { text: HOSTILE.markup, temperature: HOSTILE.huge, head: HOSTILE.nan });
  });
});
