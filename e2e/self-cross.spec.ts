import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { holdThenFail, MODEL_READY, openIsland } from './site';
import { chapterLink, expectRefusedAt, reopen } from './share-link';

/**
 * The "self vs cross" figure in chapter 4: the trained translation model's
 * encoder self-attention, masked decoder self-attention and cross-attention
 * on one sentence pair, computed at build time and again in the browser.
 */

const CHAPTER = '/chapters/self-and-cross-attention/';
const ISLAND = '[data-self-cross]';
// The model loads and translates in the background; on a software WebGPU adapter that takes a while.
const RUNNING = 'the cat sat on the mat because it was tired .';

const ROOT = join(import.meta.dirname, '..');
const heads = JSON.parse(readFileSync(join(ROOT, 'public', 'models', 'heads.json'), 'utf8')) as {
  translator: { heads: Array<{ layer: string; head: number; label: string; evidence: string }> };
};
const measured = (layer: string) => heads.translator.heads.filter((h) => h.layer === layer).sort((a, b) => a.head - b.head);

/** The model's translation in Node, on the CPU engine, through the models package (see e2e/translate.ts). */
async function nodeTranslation(text: string): Promise<{ english: string[]; french: string[] }> {
  // The repository's Node (24), which runs TypeScript; the npm scripts use it too.
  const local = join(ROOT, 'node_modules', '.bin', 'node');
  const node = existsSync(local) ? local : process.execPath;
  const flags = ['--experimental-transform-types', '--disable-warning=ExperimentalWarning', '--import', join(ROOT, 'scripts', 'resolve-ts.mjs')];
  const { stdout } = await promisify(execFile)(node, [...flags, join(ROOT, 'e2e', 'translate.ts'), text], { cwd: ROOT });
  return JSON.parse(stdout) as { english: string[]; french: string[] };
}

const open = (page: Page, query = ''): Promise<Locator> => openIsland(page, CHAPTER, ISLAND, query);

/** Waits until the model has run in the browser, and says on which backend. */
async function ready(island: Locator): Promise<string> {
  const status = island.locator('[data-compute-target]');
  await expect(status).toHaveAttribute('data-compute-target', /^(webgpu|cpu)$/, MODEL_READY);
  return (await status.getAttribute('data-compute-target'))!;
}

async function renders(island: Locator): Promise<number> {
  return Number(await island.getAttribute('data-renders'));
}

type MapName = 'encoder' | 'self' | 'cross';
const svgOf = (island: Locator, map: MapName) => island.locator(`[data-map="${map}"] svg.map`);

/** One map's shape and cells, row by row: a weight, or null for a masked cell. */
async function readMap(island: Locator, map: MapName): Promise<{ rows: number; cols: number; cells: Array<number | null> }> {
  return svgOf(island, map).evaluate((svg) => ({
    rows: Number(svg.getAttribute('data-rows')),
    cols: Number(svg.getAttribute('data-cols')),
    cells: Array.from(svg.querySelectorAll('rect[data-value], rect[data-masked]'), (r) => (r.hasAttribute('data-masked') ? null : Number(r.getAttribute('data-value')))),
  }));
}

async function readAll(island: Locator) {
  return { encoder: await readMap(island, 'encoder'), self: await readMap(island, 'self'), cross: await readMap(island, 'cross') };
}

function expectRowsSumToOne(map: { rows: number; cols: number; cells: Array<number | null> }) {
  expect(map.cells).toHaveLength(map.rows * map.cols);
  for (let r = 0; r < map.rows; r++) {
    const row = map.cells.slice(r * map.cols, (r + 1) * map.cols).map((w) => w ?? 0);
    for (const w of row) expect(w).toBeGreaterThanOrEqual(0);
    expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
  }
}

/** The shapes, the mask and the row sums of the three maps, for m English and n decoder tokens. */
function expectMaps(maps: Awaited<ReturnType<typeof readAll>>, m: number, n: number) {
  expect([maps.encoder.rows, maps.encoder.cols]).toEqual([m, m]);
  expect([maps.self.rows, maps.self.cols]).toEqual([n, n]);
  expect([maps.cross.rows, maps.cross.cols]).toEqual([n, m]);
  // No mask over the English: every cell has a weight.
  expect(maps.encoder.cells.every((w) => w !== null)).toBe(true);
  expect(maps.cross.cells.every((w) => w !== null)).toBe(true);
  // The causal mask hides exactly the cells above the diagonal.
  maps.self.cells.forEach((w, k) => expect(w === null).toBe(k % n > Math.floor(k / n)));
  for (const map of [maps.encoder, maps.self, maps.cross]) expectRowsSumToOne(map);
}

const chips = (island: Locator, side: 'english' | 'french') => island.locator(`[data-tokens="${side}"] [role="option"]`);
const selectedChip = (island: Locator, side: 'english' | 'french') => island.locator(`[data-tokens="${side}"] [role="option"][aria-selected="true"]`);
/** The bold (outlined) row and column labels of a map. */
const rowOn = (island: Locator, map: MapName) => svgOf(island, map).locator('text.row.on');
const colOn = (island: Locator, map: MapName) => svgOf(island, map).locator('text.col.on');

/** Translates a sentence and waits until the figure shows it. */
async function translateIn(island: Locator, sentence: string, french: string[]) {
  const before = await renders(island);
  await island.getByLabel('An English sentence to translate').fill(sentence);
  await island.getByRole('button', { name: 'Translate' }).click();
  await expect(island).toHaveAttribute('data-french', french.join(' '), MODEL_READY);
  await expect.poll(() => renders(island)).toBeGreaterThan(before);
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('shows the build’s translation and the three maps, drawn from the build’s weights', async ({ page }) => {
    const expected = await nodeTranslation(RUNNING);
    await page.goto(CHAPTER);
    const island = page.locator(ISLAND);
    await expect(chips(island, 'english')).toHaveText(expected.english);
    await expect(chips(island, 'french')).toHaveText(['<bos>', ...expected.french]);
    const m = expected.english.length;
    const n = expected.french.length + 1;
    for (const [map, rows, cols] of [['encoder', m, m], ['self', n, n], ['cross', n, m]] as const) {
      await expect(svgOf(island, map)).toHaveAttribute('data-rows', String(rows));
      await expect(svgOf(island, map)).toHaveAttribute('data-cols', String(cols));
    }
    // The masked cells are hatched, in the decoder's self-attention only.
    await expect(svgOf(island, 'self').locator('path[fill^="url(#"]')).toHaveCount(1);
    await expect(svgOf(island, 'encoder').locator('path[fill^="url(#"]')).toHaveCount(0);
    await expect(svgOf(island, 'cross').locator('path[fill^="url(#"]')).toHaveCount(0);
    // The figure opens on "le", the query that writes "chat", and on "cat".
    await expect(selectedChip(island, 'french')).toHaveText('le');
    await expect(selectedChip(island, 'english')).toHaveText('cat');
    await expect(rowOn(island, 'cross')).toHaveText('le');
    await expect(colOn(island, 'cross')).toHaveText('cat');
    await expect(island.locator('[data-map="self"]')).toContainText('Causal mask');
    await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'static');
    await expect(island.getByLabel('An English sentence to translate')).toBeDisabled();
  });
});

test('hydrates, translates in the browser on WebGPU and shows the three maps with the engine’s weights', async ({ page }) => {
  const expected = await nodeTranslation(RUNNING);
  const island = await open(page);
  expect(await ready(island)).toBe('webgpu');
  await expect(island.locator('[data-compute-target]')).toContainText('Computed in your browser on WebGPU');
  // The French is the model's own, as Node computes it.
  await expect(island).toHaveAttribute('data-french', expected.french.join(' '));
  await expect(chips(island, 'french')).toHaveText(['<bos>', ...expected.french]);
  const m = expected.english.length;
  const n = expected.french.length + 1;
  const maps = await readAll(island);
  expectMaps(maps, m, n);
  // The engine's weights on the masked cells are exactly 0.
  await expect(island.locator('[data-map="self"]')).toHaveAttribute('data-masked-max', '0');
  await expect(svgOf(island, 'self').locator('rect[data-masked]')).toHaveCount((n * (n - 1)) / 2);

  // What the chapter says of the head the figure opens on: the query that writes "chat" looks at "cat",
  // the one that writes "assis" at "cat", and the one that writes "tapis" at "mat".
  const argmax = (row: number) => {
    const cells = maps.cross.cells.slice(row * m, (row + 1) * m) as number[];
    return expected.english[cells.indexOf(Math.max(...cells))];
  };
  const writing = (word: string) => expected.french.indexOf(word);
  expect(argmax(writing('chat'))).toBe('cat');
  expect(argmax(writing('assis'))).toBe('cat');
  expect(argmax(writing('tapis'))).toBe('mat');
});

test('each head picker shows the head’s label from heads.json, and switching heads or layers changes the map', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const pickers = island.locator('[data-head-picker]');
  const label = (h: { head: number; label: string }) => `${h.head}: ${h.label}`;
  await expect(pickers.nth(0).locator('option')).toHaveText(measured('enc0.self').map(label));
  await expect(pickers.nth(1).locator('option')).toHaveText(measured('dec0.self').map(label));
  await expect(pickers.nth(2).locator('option')).toHaveText(measured('dec0.cross').map(label));

  const cross = measured('dec0.cross');
  const notes = island.locator('[data-head-note]');
  // Opens on the head that aligns best.
  await expect(pickers.nth(2)).toHaveValue('2');
  await expect(notes.nth(2)).toHaveText(`Head 2, ${cross[2]!.label}: ${cross[2]!.evidence}.`);
  await expect(notes.nth(2)).toContainText('aligns French with English');
  await expect(notes.nth(2)).toContainText('93.2%');

  const crossBefore = await readMap(island, 'cross');
  await pickers.nth(2).selectOption('0');
  await expect(notes.nth(2)).toHaveText(`Head 0, ${cross[0]!.label}: ${cross[0]!.evidence}.`);
  const crossAfter = await readMap(island, 'cross');
  expect(crossAfter.cells).not.toEqual(crossBefore.cells);
  expectRowsSumToOne(crossAfter);

  // The encoder has two layers; the head picker follows the layer.
  const encoderBefore = await readMap(island, 'encoder');
  await island.locator('[data-layer-picker]').selectOption('1');
  await expect(pickers.nth(0).locator('option')).toHaveText(measured('enc1.self').map(label));
  const enc1 = measured('enc1.self');
  const head = Number(await pickers.nth(0).inputValue());
  await expect(notes.nth(0)).toHaveText(`Layer 1, head ${head}, ${enc1[head]!.label}: ${enc1[head]!.evidence}.`);
  const encoderAfter = await readMap(island, 'encoder');
  expect(encoderAfter.cells).not.toEqual(encoderBefore.cells);
  expectRowsSumToOne(encoderAfter);

  // Keyboard: the native select moves with the arrow keys.
  const selfBefore = await readMap(island, 'self');
  const selfHead = Number(await pickers.nth(1).inputValue());
  await pickers.nth(1).focus();
  await page.keyboard.press(selfHead < 3 ? 'ArrowDown' : 'ArrowUp');
  await expect(pickers.nth(1)).toHaveValue(String(selfHead < 3 ? selfHead + 1 : selfHead - 1));
  const selfAfter = await readMap(island, 'self');
  expect(selfAfter.cells).not.toEqual(selfBefore.cells);
});

test('picking a French token outlines its row in both decoder maps; an English token, its encoder row and cross column', async ({ page }) => {
  const island = await open(page);
  await ready(island);

  // Mouse on the chips.
  let before = await renders(island);
  await chips(island, 'french').filter({ hasText: 'tapis' }).click();
  await expect(selectedChip(island, 'french')).toHaveText('tapis');
  await expect(rowOn(island, 'self')).toHaveText('tapis');
  await expect(rowOn(island, 'cross')).toHaveText('tapis');
  await expect(island.locator('[data-selection]')).toContainText('“tapis” (position 7) writes “car”');
  await expect.poll(() => renders(island)).toBeGreaterThan(before);

  before = await renders(island);
  await chips(island, 'english').filter({ hasText: 'mat' }).click();
  await expect(selectedChip(island, 'english')).toHaveText('mat');
  await expect(rowOn(island, 'encoder')).toHaveText('mat');
  await expect(colOn(island, 'cross')).toHaveText('mat');
  await expect(island.locator('[data-map="cross"] [data-readout]')).toContainText('query “tapis” → key “mat”');
  await expect.poll(() => renders(island)).toBeGreaterThan(before);

  // Keyboard on the chips: arrows, Home and End.
  await selectedChip(island, 'french').focus();
  await page.keyboard.press('ArrowLeft');
  await expect(selectedChip(island, 'french')).toHaveText('le');
  await expect(selectedChip(island, 'french')).toBeFocused();
  await page.keyboard.press('Home');
  await expect(selectedChip(island, 'french')).toHaveText('<bos>');
  await expect(rowOn(island, 'self')).toHaveText('<bos>');
  await page.keyboard.press('End');
  await expect(selectedChip(island, 'french')).toHaveText('.');
  await expect(island.locator('[data-selection]')).toContainText('writes the end token <eos>');

  await selectedChip(island, 'english').focus();
  await page.keyboard.press('ArrowRight');
  await expect(selectedChip(island, 'english')).toHaveText('because');
  await expect(colOn(island, 'cross')).toHaveText('because');

  // Keyboard on the cross-attention map: up and down move the French token, left and right the English one.
  await svgOf(island, 'cross').focus();
  await page.keyboard.press('ArrowUp');
  await expect(selectedChip(island, 'french')).toHaveText('fatigué');
  await page.keyboard.press('ArrowLeft');
  await expect(selectedChip(island, 'english')).toHaveText('mat');
  await expect(rowOn(island, 'self')).toHaveText('fatigué');
  await expect(rowOn(island, 'encoder')).toHaveText('mat');

  // A click on a cell of the cross-attention map picks both tokens.
  const cell = svgOf(island, 'cross').locator('rect[data-value]').nth(1 * 11 + 1);
  await cell.click();
  await expect(selectedChip(island, 'french')).toHaveText('le');
  await expect(selectedChip(island, 'english')).toHaveText('cat');
});

test('a sentence of your own changes all three maps; unknown words are marked and linked to the vocabulary', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const before = await readAll(island);

  const names = await nodeTranslation('tom met anna and anna thanked tom .');
  await translateIn(island, 'tom met anna and anna thanked tom .', names.french);
  await expect(chips(island, 'french')).toHaveText(['<bos>', ...names.french]);
  const after = await readAll(island);
  expectMaps(after, names.english.length, names.french.length + 1);
  expect(after.encoder.cells).not.toEqual(before.encoder.cells);
  expect(after.self.cells).not.toEqual(before.self.cells);
  expect(after.cross.cells).not.toEqual(before.cross.cells);

  const zebra = await nodeTranslation('the zebra sat on the mat because it was tired .');
  await translateIn(island, 'the zebra sat on the mat because it was tired .', zebra.french);
  const unknown = island.locator('[data-tokens="english"] [role="option"].unknown');
  await expect(unknown).toHaveCount(1);
  await expect(unknown).toContainText('zebra');
  await expect(unknown.locator('.sr-only')).toContainText('unknown word');
  await expect(unknown).toHaveCSS('border-top-style', 'dashed');
  await expect(island.locator('[data-unknown-note]')).toContainText('1 word is not in the model’s vocabulary');
  await expect(island.locator('[data-unknown-note] a')).toHaveAttribute('href', '/models/#vocabulary-en');
  expectMaps(await readAll(island), zebra.english.length, zebra.french.length + 1);
});

test('bad input: empty text keeps the last figure with a message; a long text is cut and says so', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const shown = await readAll(island);
  const input = island.getByLabel('An English sentence to translate');

  await input.fill('   ');
  await island.getByRole('button', { name: 'Translate' }).click();
  await expect(island.getByRole('alert')).toHaveText('Type a sentence first: there are no words to read.');
  expect(await readAll(island)).toEqual(shown);
  await expect(island).toHaveAttribute('data-english', RUNNING);

  const long = 'the cat sat on the mat because it was tired . '.repeat(6);
  await input.fill(long);
  await input.press('Enter');
  await expect(island.locator('[data-cut-note]')).toContainText('The model reads at most 64 words; this text has 66', MODEL_READY);
  await expect(island.locator('[role="alert"]')).toBeEmpty();
  await expect(chips(island, 'english')).toHaveCount(64);
  const cut = await readAll(island);
  expect(cut.encoder.rows).toBe(64);
  for (const map of [cut.encoder, cut.self, cut.cross]) expectRowsSumToOne(map);
});

test('the same view on WebGPU and with ?compute=cpu gives the same weights', async ({ browser }) => {
  const read = async (query: string) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const island = await open(page, query);
    const backend = await ready(island);
    await translateIn(island, 'the mouse sat under the chair because it was tired .', (await nodeTranslation('the mouse sat under the chair because it was tired .')).french);
    await island.locator('[data-head-picker]').nth(1).selectOption('3');
    await island.locator('[data-layer-picker]').selectOption('1');
    const maps = await readAll(island);
    await context.close();
    return { backend, maps };
  };
  const gpu = await read('');
  const cpu = await read('?compute=cpu');
  expect(gpu.backend).toBe('webgpu');
  expect(cpu.backend).toBe('cpu');
  for (const name of ['encoder', 'self', 'cross'] as const) {
    const a = gpu.maps[name];
    const b = cpu.maps[name];
    expect([a.rows, a.cols]).toEqual([b.rows, b.cols]);
    a.cells.forEach((w, k) => {
      const v = b.cells[k];
      if (w === null || v === null) expect(w).toBe(v);
      else expect(Math.abs(w - v!)).toBeLessThan(1e-5);
    });
    expectRowsSumToOne(b);
  }
});

test('while the model loads, and when it fails, the island says so and keeps the build’s maps', async ({ page }) => {
  const release = await holdThenFail(page, '**/models/translator.bin');
  const island = await open(page);
  await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'loading');
  await expect(island.locator('[data-loading]')).toContainText('Loading the model');
  await expect(svgOf(island, 'cross')).toHaveAttribute('data-rows', '13');
  // Tokens can be picked on the build's maps meanwhile.
  await chips(island, 'french').filter({ hasText: 'chat' }).click();
  await expect(rowOn(island, 'cross')).toHaveText('chat');

  release();
  await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'failed');
  await expect(island.locator('[data-failed]')).toContainText('The model could not run here');
  await expect(svgOf(island, 'cross')).toHaveAttribute('data-rows', '13');
  await expect(chips(island, 'french')).toHaveCount(13);
});

test('at 360 px the maps stack and nothing overflows; on a wide screen they sit side by side, numbers open or not', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const tops = async () => Promise.all((['encoder', 'self', 'cross'] as const).map(async (map) => (await island.locator(`[data-map="${map}"]`).boundingBox())!));
  const wide = await tops();
  expect(Math.abs(wide[0]!.y - wide[1]!.y)).toBeLessThan(2);
  expect(Math.abs(wide[1]!.y - wide[2]!.y)).toBeLessThan(2);
  // Each map's numbers open: the tables scroll in their own boxes, and the maps keep their places, side by side without overlapping.
  for (const summary of await island.locator('details.numbers summary').all()) await summary.click();
  await expect(island.locator('table[data-weights]')).toHaveCount(3);
  const opened = await tops();
  for (let i = 0; i < 3; i++) expect(Math.abs(opened[i]!.x - wide[i]!.x)).toBeLessThan(1);
  expect(opened[0]!.x + opened[0]!.width).toBeLessThanOrEqual(opened[1]!.x);
  expect(opened[1]!.x + opened[1]!.width).toBeLessThanOrEqual(opened[2]!.x);

  await page.setViewportSize({ width: 360, height: 740 });
  await expect.poll(async () => (await tops())[1]!.y > (await tops())[0]!.y).toBe(true);
  const narrow = await tops();
  expect(narrow[2]!.y).toBeGreaterThan(narrow[1]!.y);
  await translateIn(island, 'the black cat sat on the mat because it was tired .', (await nodeTranslation('the black cat sat on the mat because it was tired .')).french);
  const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(width.scroll).toBeLessThanOrEqual(width.client);
  const box = await island.boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(360);
  // Each panel's own content, its head picker included, stays inside it (a table of numbers scrolls in its own box).
  const overhang = await island.locator('[data-map]').evaluateAll((panels) =>
    Math.max(
      ...panels.flatMap((panel) => {
        const right = panel.getBoundingClientRect().right;
        return Array.from(panel.querySelectorAll('*'), (el) => (el.closest('.scroll') ? -Infinity : el.getBoundingClientRect().right - right));
      }),
    ),
  );
  expect(overhang).toBeLessThanOrEqual(0.5);
});

for (const theme of ['light', 'dark'] as const) {
  test(`axe finds no WCAG 2 A/AA violation in the hydrated island, ${theme} theme`, async ({ page }) => {
    await page.addInitScript((t) => localStorage.setItem('theme', t), theme);
    const island = await open(page);
    await ready(island);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await translateIn(island, 'the zebra sat on the mat because it was tired .', (await nodeTranslation('the zebra sat on the mat because it was tired .')).french);
    // The tables of numbers open too.
    for (const summary of await island.locator('summary').all()) await summary.click();
    const results = await new AxeBuilder({ page }).include(ISLAND).withTags(['wcag2a', 'wcag2aa']).analyze();
    const summary = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n  ')}`);
    expect(summary).toEqual([]);
  });
}

test.describe('link', () => {
  const everything = async (island: Locator) => ({
    maps: await readAll(island),
    selection: await island.locator('[data-selection]').textContent(),
    notes: await island.locator('[data-head-note]').allTextContents(),
  });

  test('a sentence, heads and picked tokens open again from the link with the same numbers', async ({ page, browser }) => {
    const island = await open(page);
    await ready(island);
    const input = island.getByLabel('An English sentence to translate');
    await input.fill('the dog sat on the mat .');
    await input.press('Enter');
    await expect(island).toHaveAttribute('data-english', 'the dog sat on the mat .', MODEL_READY);
    await island.locator('[data-layer-picker]').selectOption('1');
    const pickers = island.locator('[data-head-picker]');
    await pickers.nth(0).selectOption('3');
    await pickers.nth(1).selectOption('1');
    await pickers.nth(2).selectOption('0');
    await chips(island, 'english').filter({ hasText: 'dog' }).click();
    await selectedChip(island, 'french').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await expect(island).toHaveAttribute('data-share', /^text=the\+dog\+sat\+on\+the\+mat\+\.&layer=1&head=3&self-head=1&cross-head=0&french=1&english=1$/);
    const share = (await island.getAttribute('data-share'))!;
    const shown = await everything(island);
    const again = await reopen(browser, chapterLink(CHAPTER, 'self-cross', share), ISLAND, share, everything);
    expect(again).toEqual(shown);
  });

  test('hostile or impossible values are refused with a notice and the built view is kept', async ({ page }) => {
    await expectRefusedAt(page, CHAPTER, 'self-cross', ISLAND, { text: '<script>alert(1)</script>', layer: '1e309', head: 'NaN', french: '60', english: '<img src=x onerror=alert(1)>' });
  });
});
