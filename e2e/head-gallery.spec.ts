import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { enlarged, enlargedView, expectRowsSumToOne, MODEL_READY, pickCell, pickHead, ready } from './head-grid';
import { expectLinkReopens, expectRefused, HOSTILE } from './share-link';
import { axeViolations, expectNoOverflow, openIsland } from './site';

/**
 * The head gallery in chapter 3: every head of the trained decoder as a
 * thumbnail for one sentence, one enlarged with its numbers, each labelled
 * with what it was measured to do (public/models/heads.json).
 */

const CHAPTER = '/chapters/multi-head-attention/';
const ISLAND = '[data-head-gallery]';
const SAME_LENGTH = 'the dog sat on the bed because it was sleepy .';

interface MeasuredHead {
  layer: string;
  head: number;
  label: string;
  evidence: string;
  figures: { previousToken: number; firstToken: number; copySource: number };
}
const HEADS = (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'public', 'models', 'heads.json'), 'utf8')) as { decoder: { heads: MeasuredHead[] } }).decoder
  .heads;
/** heads.json's decoder heads, by layer then head: the gallery's order. */
const ORDERED = [...HEADS].sort((a, b) => a.layer.localeCompare(b.layer) || a.head - b.head);

const open = (page: Page, query = ''): Promise<Locator> => openIsland(page, CHAPTER, ISLAND, query);

async function renders(island: Locator): Promise<number> {
  return Number(await island.getAttribute('data-renders'));
}

/** Every head's weights, picked one after another. */
async function everyHead(island: Locator): Promise<Array<Array<Array<number | null>>>> {
  const all = [];
  for (let i = 0; i < 8; i++) all.push(await pickHead(island, i));
  return all;
}

const flat = (heads: Array<Array<Array<number | null>>>) => heads.flat(2).map((w) => w ?? 0);

/** Types a sentence, presses Enter and waits until the figure shows it. */
async function read(island: Locator, sentence: string, tokens: number) {
  const before = await renders(island);
  await island.getByLabel('Your own sentence').fill(sentence);
  await island.getByLabel('Your own sentence').press('Enter');
  await expect.poll(() => renders(island), MODEL_READY).toBeGreaterThan(before);
  await expect(island.locator('[data-enlarged] [data-weights] tbody tr')).toHaveCount(tokens);
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('shows every head as a thumbnail with its measured role, and the picked head enlarged in rounded colours, saying its numbers need JavaScript', async ({ page }) => {
    await page.goto(CHAPTER);
    const island = page.locator(ISLAND);
    await expect(island.locator('svg.compact')).toHaveCount(8);
    // 12 tokens: the start and the running sentence's 11.
    await expect(island.locator('svg.compact').first()).toHaveAttribute('data-rows', '12');
    await expect(island.locator('[data-role]')).toHaveText(ORDERED.map((h) => h.label));
    await expect(island.locator('[data-label]')).toHaveText('copies repeated words');
    await expect(island.locator('[data-waiting]')).toContainText('With JavaScript on');
    // The enlarged map: the thumbnail's colours with the tokens as labels, no numbers to read.
    const map = island.locator('[data-enlarged] svg.map');
    await expect(map).toHaveAttribute('data-rows', '12');
    await expect(map.locator('text')).toHaveCount(24);
    await expect(map.locator('rect[data-value]')).toHaveCount(0);
    await expect(island.locator('[data-enlarged] [data-weights]')).toHaveCount(0);
    await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'static');
    await expect(island.getByLabel('Your own sentence')).toBeDisabled();
    await expect(island.getByRole('radio').first()).toBeDisabled();
  });
});

test('hydrates, runs the model on WebGPU and enlarges a head whose rows sum to 1 and whose future is masked with weight exactly 0', async ({ page }) => {
  const island = await open(page);
  expect(await ready(island)).toBe('webgpu');
  await expect(island.locator('[data-compute-target]')).toContainText('Computed in your browser on WebGPU');
  await expect(island.locator('svg.compact')).toHaveCount(8);
  const rows = await enlarged(island);
  expect(rows).toHaveLength(12);
  expectRowsSumToOne(rows);
  // Above the diagonal: 11 + 10 + … + 1 masked cells, hatched, with no weight printed.
  await expect(island.locator('[data-enlarged] svg rect[data-masked]')).toHaveCount(66);
  await expect(island.locator('[data-enlarged] td[data-masked]')).toHaveCount(66);
  // The model's own matrices, read in full: every masked weight is exactly 0.
  await expect(island.locator('[data-masked-max]')).toHaveAttribute('data-masked-max', '0');
  await expect(island.locator('[data-masked-max]')).toHaveText('exactly 0');
});

test('the labels, evidence and figures shown are those of heads.json', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  await expect(island.locator('[data-role]')).toHaveText(ORDERED.map((h) => h.label));
  for (const [i, h] of ORDERED.entries()) {
    await pickHead(island, i);
    await expect(island.locator('[data-label]')).toHaveText(h.label);
    await expect(island.locator('[data-evidence]')).toContainText(h.evidence);
    for (const key of ['previousToken', 'firstToken', 'copySource'] as const) {
      const figure = island.locator(`[data-figure="${key}"]`);
      expect(Number(await figure.getAttribute('data-value'))).toBe(h.figures[key]);
      await expect(figure).toHaveText(`${(h.figures[key] * 100).toFixed(1)}%`);
    }
    await expect(island.getByRole('radio', { name: `Layer ${h.layer.replace(/^layer(\d+).*/, '$1')}, head ${h.head}: ${h.label}` })).toBeChecked();
  }
});

test('arrow keys move between heads; a click or the keyboard picks a cell, and a masked cell reads weight 0', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const first = await enlarged(island);
  await island.getByRole('radio').first().focus();
  await page.keyboard.press('ArrowRight');
  await expect(island.locator('[data-enlarged]')).toHaveAttribute('data-enlarged', '1');
  await expect(island.getByRole('radio').nth(1)).toBeFocused();
  const second = await enlarged(island);
  expect(flat([second])).not.toEqual(flat([first]));
  expectRowsSumToOne(second);

  const map = island.locator('[data-enlarged] svg[role="application"]');
  const readout = island.locator('[data-enlarged] [data-readout]');
  await map.focus();
  // From the last row, End goes to its last cell (the token itself), ArrowUp into the masked triangle.
  await page.keyboard.press('End');
  await expect(readout).toContainText('query “.” → key “.”: weight');
  await page.keyboard.press('ArrowUp');
  await expect(readout).toHaveText('query “tired” → key “.”: masked, weight 0');

  const before = await renders(island);
  const box = (await map.boundingBox())!;
  await map.click({ position: { x: box.width - 4, y: box.height - 4 } });
  await expect(readout).toContainText('query “.” → key “.”');
  expect(await renders(island)).toBeGreaterThan(before);
});

test('a sentence of your own recomputes all eight heads in one run: every map changes and every row sums to 1', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const before = await everyHead(island);
  await pickHead(island, 0);
  const thumbnails = await island.locator('svg.compact').evaluateAll((maps) => maps.map((m) => m.innerHTML));

  await read(island, SAME_LENGTH, 12);
  const after = await everyHead(island);
  after.forEach((head, i) => {
    expectRowsSumToOne(head);
    // The same shape, different numbers.
    expect(flat([head])).toHaveLength(flat([before[i]!]).length);
    expect(flat([head])).not.toEqual(flat([before[i]!]));
  });
  const changed = await island.locator('svg.compact').evaluateAll((maps) => maps.map((m) => m.innerHTML));
  changed.forEach((html, i) => expect(html).not.toBe(thumbnails[i]));
});

test('unknown words are marked and linked to the vocabulary', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  await read(island, 'the zebra sat on the mat .', 8);
  await expect(island.locator('[data-unknown-note]')).toContainText('1 word is not in the model’s vocabulary');
  await expect(island.locator('[data-unknown-note] a')).toHaveAttribute('href', '/models/#vocabulary-en');
  await expect(island.locator('[data-enlarged] [data-weights] tbody th').nth(2)).toHaveText('zebra*');
  expectRowsSumToOne(await enlarged(island));
});

test('bad input: empty text keeps the last maps with a message; long text is cut and says so', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const shown = await enlarged(island);
  const input = island.getByLabel('Your own sentence');

  await input.fill('   ');
  await island.getByRole('button', { name: 'Show' }).click();
  await expect(island.getByRole('alert')).toHaveText('Type a sentence first: there are no words to read.');
  expect(await enlarged(island)).toEqual(shown);
  await expect(island.locator('svg.compact').first()).toHaveAttribute('data-rows', '12');

  await input.fill('the cat sat on the mat . '.repeat(12));
  await input.press('Enter');
  await expect(island.locator('[data-cut-note]')).toContainText('The model reads at most 63 words; this text has 84', MODEL_READY);
  await expect(island.locator('[role="alert"]')).toBeEmpty();
  await expect(island.locator('svg.compact').first()).toHaveAttribute('data-rows', '64');
  expectRowsSumToOne(await enlarged(island));
});

test('the same sentence on WebGPU and with ?compute=cpu gives every head the same weights', async ({ browser }) => {
  const readAll = async (query: string) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const island = await open(page, query);
    const backend = await ready(island);
    await read(island, 'tom met anna and anna thanked tom .', 9);
    const heads = await everyHead(island);
    await context.close();
    return { backend, values: flat(heads) };
  };
  const gpu = await readAll('');
  const cpu = await readAll('?compute=cpu');
  expect(gpu.backend).toBe('webgpu');
  expect(cpu.backend).toBe('cpu');
  expect(gpu.values).toHaveLength(8 * 81);
  expect(cpu.values).toHaveLength(gpu.values.length);
  gpu.values.forEach((w, j) => expect(Math.abs(w - cpu.values[j]!)).toBeLessThan(1e-5));
});

test('when the model cannot load, the island says so and keeps the build-time thumbnails', async ({ page }) => {
  await page.route('**/models/decoder.bin', (route) => route.abort());
  const island = await open(page);
  await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'failed', MODEL_READY);
  await expect(island.locator('[data-failed]')).toContainText('The model could not run here');
  await expect(island.locator('[data-waiting]')).toContainText('colours stay rounded');
  await expect(island.locator('svg.compact')).toHaveCount(8);
  // The pickers still work on the thumbnails and the measured roles.
  await island.locator('[data-thumb="3"]').click();
  await expect(island.locator('[data-label]')).toHaveText(ORDERED[3]!.label);
});

test('at 360 px nothing overflows, with the numbers open too', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const island = await open(page);
  await ready(island);
  await read(island, 'the cat sat on the mat because it was tired . '.repeat(3), 34);
  await expectNoOverflow(page, island);
  // 34 columns of numbers: the table scrolls in its own box.
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
    await read(island, 'the zebra sat on the mat .', 8);
    await island.locator('[data-enlarged] details summary').click();
    expect(await axeViolations(page, ISLAND)).toEqual([]);
  });
}

test.describe('link', () => {
  const DEMO = { chapter: CHAPTER, demo: 'head-gallery', selector: ISLAND };

  test('a sentence, a head and a cell reopen from the link with the same weights', async ({ page }) => {
    const island = await open(page);
    await ready(island);
    await read(island, SAME_LENGTH, 12);
    await pickHead(island, 5);
    await pickCell(island);
    await expect(island).toHaveAttribute('data-share', `${new URLSearchParams({ text: SAME_LENGTH })}&layer=1&head=1&query=11&key=10`);
    await expectLinkReopens(page, island, DEMO, enlargedView);
  });

  test('hostile settings and a cell beyond the sentence are refused with a notice, and the default view stays', async ({ page }) => {
    const island = await expectRefused(page, DEMO, { text: HOSTILE.markup, layer: HOSTILE.huge, head: HOSTILE.nan, query: '12' }, ready);
    await expect(island.locator('[data-share-notice]')).toContainText('tokens 0 to 11');
  });
});
