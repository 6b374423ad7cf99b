import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { holdThenFail, MODEL_READY, openIsland } from './site';
import { expectLinkReopens, expectRefused, HOSTILE } from './share-link';

/**
 * The token explorer in chapter 1: the decoder-only model's weights for a
 * picked token, as bars, arcs and a table, computed at build time and again
 * in the browser.
 */

const CHAPTER = '/chapters/what-attention-does/';
const ISLAND = '[data-token-explorer]';
// The model reads in the background; on a software WebGPU adapter that takes a while.

const open = (page: Page, query = ''): Promise<Locator> => openIsland(page, CHAPTER, ISLAND, query);

/** Waits until the model has run in the browser, and says on which backend. */
async function ready(island: Locator): Promise<string> {
  const status = island.locator('[data-compute-target]');
  await expect(status).toHaveAttribute('data-compute-target', /^(webgpu|cpu)$/, MODEL_READY);
  return (await status.getAttribute('data-compute-target'))!;
}

/** The weights in the table alternative, at full precision. */
async function weights(island: Locator): Promise<number[]> {
  return (await island.locator('[data-weights] tbody td').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-value')))).map(Number);
}

async function renders(island: Locator): Promise<number> {
  return Number(await island.getAttribute('data-renders'));
}

const selectedChip = (island: Locator) => island.locator('[role="option"][aria-selected="true"]');

function expectSumsToOne(values: number[]) {
  expect(values.length).toBeGreaterThan(0);
  for (const v of values) expect(v).toBeGreaterThanOrEqual(0);
  expect(Math.abs(values.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
}

/** Types a sentence and waits until the figure shows it. */
async function show(island: Locator, sentence: string, words: number) {
  const before = await renders(island);
  await island.getByLabel('Your own sentence').fill(sentence);
  await expect(island.locator('[role="option"]')).toHaveCount(words + 1, MODEL_READY);
  await expect.poll(() => renders(island)).toBeGreaterThan(before);
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('shows the build-time weights of "it" as bars and as a table, with their sum', async ({ page }) => {
    await page.goto(CHAPTER);
    const island = page.locator(ISLAND);
    await expect(selectedChip(island)).toContainText('it');
    // "it" is the 8th word, so it sees the start and 8 tokens: 9 weights.
    const values = await weights(island);
    expect(values).toHaveLength(9);
    expectSumsToOne(values);
    await expect(island.locator('[data-sum-shown]')).toHaveText('1.000');
    await expect(island.locator('.bar')).toHaveCount(9);
    await expect(island.locator('[role="option"].masked')).toHaveCount(3);
    await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'static');
    await expect(island.getByLabel('Your own sentence')).toBeDisabled();
  });
});

test('hydrates, runs the model in the browser on WebGPU and shows weights that sum to 1', async ({ page }) => {
  const island = await open(page);
  expect(await ready(island)).toBe('webgpu');
  await expect(island.locator('[data-compute-target]')).toContainText('Computed in your browser on WebGPU');
  await expect(selectedChip(island)).toContainText('it');
  await expect(island.locator('[data-sum-shown]')).toHaveText('1.000');
  const values = await weights(island);
  expect(values).toHaveLength(9);
  expectSumsToOne(values);
  expect(Number(await island.locator('[data-sum]').getAttribute('data-value'))).toBeCloseTo(1, 5);
  // One arc per visible token, on a desktop-wide screen, and the legend says what they are.
  await expect(island.locator('[data-arcs] path')).toHaveCount(9);
  await expect(island.locator('.legend')).toContainText('on hover or focus). Arcs run from the picked token');
});

test('the browser computes the same weights as the build did', async ({ page, browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const staticPage = await context.newPage();
  await staticPage.goto(CHAPTER);
  const built = await weights(staticPage.locator(ISLAND));
  await context.close();

  const island = await open(page);
  await ready(island);
  const computed = await weights(island);
  expect(computed).toHaveLength(built.length);
  computed.forEach((w, j) => expect(Math.abs(w - built[j]!)).toBeLessThan(1e-5));
});

test('arrow keys, Home and End move the selection; the weights follow', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const first = await weights(island);
  await selectedChip(island).focus();

  await page.keyboard.press('ArrowLeft');
  await expect(selectedChip(island)).toContainText('because');
  await expect(selectedChip(island)).toBeFocused();
  const moved = await weights(island);
  expect(moved).toHaveLength(first.length - 1);
  expectSumsToOne(moved);

  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(selectedChip(island)).toContainText('was');
  expect(await weights(island)).toHaveLength(first.length + 1);

  await page.keyboard.press('Home');
  await expect(selectedChip(island)).toContainText('start');
  expect(await weights(island)).toEqual([1]);

  await page.keyboard.press('End');
  await expect(selectedChip(island)).toHaveAttribute('data-position', '11');
  await page.keyboard.press('ArrowRight');
  await expect(selectedChip(island)).toHaveAttribute('data-position', '11');
  const last = await weights(island);
  expect(last).toHaveLength(12);
  expectSumsToOne(last);
  await expect(island.locator('[role="option"].masked')).toHaveCount(0);
});

test('a click or tap picks a token', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const before = await renders(island);
  await island.locator('[role="option"]', { hasText: 'mat' }).click();
  await expect(selectedChip(island)).toContainText('mat');
  await expect.poll(() => renders(island)).toBeGreaterThan(before);
  const values = await weights(island);
  expect(values).toHaveLength(7);
  expectSumsToOne(values);
  await expect(island.locator('[data-sum-shown]')).toHaveText('1.000');
});

test('switching head or layer, by mouse or keyboard, changes the weights', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const start = await weights(island);
  const headNote = island.locator('[data-head-note]');

  await island.getByRole('radio', { name: /^Head 0/ }).click();
  await expect(headNote).toContainText('copies repeated words');
  const head0 = await weights(island);
  expect(head0).not.toEqual(start);
  expectSumsToOne(head0);

  // Native radios: the arrow keys move between heads.
  await island.getByRole('radio', { name: /^Head 0/ }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(island.getByRole('radio', { name: /^Head 1/ })).toBeChecked();
  const head1 = await weights(island);
  expect(head1).not.toEqual(head0);

  await island.getByRole('radio', { name: 'Layer 1' }).check();
  await expect(headNote).toContainText('Layer 1, head 1');
  const layer1 = await weights(island);
  expect(layer1).not.toEqual(head1);
  expectSumsToOne(layer1);
  await expect(island.locator('[data-sum-shown]')).toHaveText('1.000');
});

test('a sentence of your own: unknown words are marked and linked to the vocabulary', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  await show(island, 'the zebra sat on the mat .', 7);
  const unknown = island.locator('[role="option"].unknown');
  await expect(unknown).toHaveCount(1);
  await expect(unknown).toContainText('zebra');
  await expect(unknown.locator('.sr-only')).toContainText('unknown word');
  await expect(unknown.locator('.chip')).toHaveCSS('border-top-style', 'dashed');
  await expect(island.locator('[data-unknown-note]')).toContainText('1 word is not in the model’s vocabulary');
  await expect(island.locator('[data-unknown-note] a')).toHaveAttribute('href', '/models/#vocabulary-en');
  expectSumsToOne(await weights(island));
});

test('bad input: empty text keeps the last weights; markup, emoji and right-to-left text are words; long text is cut', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const input = island.getByLabel('Your own sentence');
  const shown = await weights(island);

  await input.fill('   ');
  await island.getByRole('button', { name: 'Show' }).click();
  await expect(island.getByRole('alert')).toHaveText('Type a sentence first: there are no words to read.');
  expect(await weights(island)).toEqual(shown);
  await expect(island.locator('[role="option"]')).toHaveCount(12);

  // Split as words: < b > tom </ b > 🙂 שלום .
  await show(island, '<b>tom</b> 🙂 שלום .', 10);
  await expect(island.locator('[role="alert"]')).toBeEmpty();
  await expect(island.locator('b')).toHaveCount(0);
  await expect(island.locator('[role="option"].unknown')).toHaveCount(8);
  await expect(island.locator('[role="option"]', { hasText: 'שלום' })).toHaveCount(1);
  await expect(island.locator('[role="option"]', { hasText: 'tom' })).toHaveCount(1);

  await island.getByLabel('Your own sentence').fill('the cat sat on the mat . '.repeat(12));
  await island.getByLabel('Your own sentence').press('Enter');
  await expect(island.locator('[data-cut-note]')).toContainText('The model reads at most 63 words; this text has 84');
  await expect(island.locator('[role="option"]')).toHaveCount(64);
  expectSumsToOne(await weights(island));
});

test('the same view on WebGPU and with ?compute=cpu gives the same weights', async ({ browser }) => {
  const read = async (query: string) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const island = await open(page, query);
    const backend = await ready(island);
    await show(island, 'tom met anna and anna thanked tom .', 8);
    await island.getByRole('radio', { name: /^Head 0/ }).check();
    await island.locator('[data-position="6"]').click();
    await expect(selectedChip(island)).toContainText('thanked');
    const values = await weights(island);
    await context.close();
    return { backend, values };
  };
  const gpu = await read('');
  const cpu = await read('?compute=cpu');
  expect(gpu.backend).toBe('webgpu');
  expect(cpu.backend).toBe('cpu');
  expect(gpu.values).toHaveLength(7);
  expect(cpu.values).toHaveLength(7);
  gpu.values.forEach((w, j) => expect(Math.abs(w - cpu.values[j]!)).toBeLessThan(1e-5));
  expectSumsToOne(cpu.values);
});

test('while the model loads, and when it fails, the island says so and keeps the build-time weights', async ({ page }) => {
  const release = await holdThenFail(page, '**/models/decoder.bin');
  const island = await open(page);
  await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'loading');
  await expect(island.locator('[data-loading]')).toContainText('Loading the model');
  const built = await weights(island);
  expect(built).toHaveLength(9);
  // The pickers work on the build's weights before the model arrives.
  await island.getByRole('radio', { name: /^Head 0/ }).check();
  const head0 = await weights(island);
  expect(head0).not.toEqual(built);
  expectSumsToOne(head0);

  release();
  await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'failed');
  await expect(island.locator('[data-failed]')).toContainText('The model could not run here');
  expect(await weights(island)).toEqual(head0);
});

test('at 360 px nothing overflows; the arcs give way to bars and the island says so', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const island = await open(page);
  await ready(island);
  await expect(island.locator('[data-no-arcs]')).toBeVisible();
  await expect(island.locator('[data-arcs]')).toHaveCount(0);
  await show(island, 'the cat sat on the mat because it was tired . '.repeat(4), 44);
  const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(width.scroll).toBeLessThanOrEqual(width.client);
  const box = await island.boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(360);
});

test('with reduced motion the bars change without a transition', async ({ page }) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  const island = await open(page);
  await expect(island.locator('.bar').first()).toHaveCSS('transition-duration', '0s');
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  await expect(island.locator('.bar').first()).not.toHaveCSS('transition-duration', '0s');
});

for (const theme of ['light', 'dark'] as const) {
  test(`axe finds no WCAG 2 A/AA violation in the hydrated island, ${theme} theme`, async ({ page }) => {
    await page.addInitScript((t) => localStorage.setItem('theme', t), theme);
    const island = await open(page);
    await ready(island);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await show(island, 'the zebra sat on the mat .', 7);
    const results = await new AxeBuilder({ page }).include(ISLAND).withTags(['wcag2a', 'wcag2aa']).analyze();
    const summary = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n  ')}`);
    expect(summary).toEqual([]);
  });
}

test.describe('link', () => {
  const DEMO = { chapter: CHAPTER, demo: 'token-explorer', selector: ISLAND };
  /** The view's numbers: the weights, and which chip is picked. */
  const numbers = async (island: Locator) => ({ weights: await weights(island), picked: await selectedChip(island).getAttribute('data-position') });

  test('a view changed by the reader reopens from its link with the same weights', async ({ page }) => {
    const island = await open(page);
    await ready(island);
    await show(island, 'the dog saw the zebra .', 6);
    await island.getByRole('radio', { name: 'Layer 0' }).check();
    await island.getByRole('radio', { name: /^Head 2/ }).check();
    await island.locator('[data-position="4"]').click();
    await expect(island).toHaveAttribute('data-share', 'text=the+dog+saw+the+zebra+.&layer=0&head=2&token=4');
    await expectLinkReopens(page, island, DEMO, numbers);
  });

  test('hostile or impossible settings are refused with a notice, and the default view stays', async ({ page }) => {
    const island = await expectRefused(page, DEMO, { text: HOSTILE.markup, layer: HOSTILE.huge, head: HOSTILE.nan, token: '40' }, ready);
    await expect(island.locator('[data-share-notice]')).toContainText('tokens 0 to 11');
  });
});
