import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { expectAccessible, expectNoOverflow, MODEL_READY, openIsland, ready } from './site';
import { chapterLink, expectRefusedAt, reopen } from './share-link';

/**
 * Generation with a KV cache in chapter 4: the trained decoder writes from
 * a prompt one token at a time; each step adds one row to every cache and
 * to the map, is counted against recomputing the prefix, and is checked
 * against that recomputation.
 */

const CHAPTER = '/chapters/self-and-cross-attention/';
const ISLAND = '[data-kv-generation]';

const open = (page: Page, search = ''): Promise<Locator> => openIsland(page, CHAPTER, ISLAND, search);

const tokens = async (island: Locator) => Number(await island.getAttribute('data-tokens'));

interface Shown {
  tokens: number;
  mapRows: number;
  cacheRows: number;
  newRow: number[];
  sum: number;
  difference: number;
  work: Record<string, number>;
  words: string[];
}

/** Waits until the step with `n` tokens is on screen and checked against the full recomputation; reads it. */
async function shownAt(island: Locator, n: number): Promise<Shown> {
  await expect(island).toHaveAttribute('data-tokens', String(n), MODEL_READY);
  await expect(island.locator('[data-difference]')).toBeVisible(MODEL_READY);
  // The step's parts reach the page in one render, but the check against the
  // full recomputation can land a moment later: read again until every part is there.
  let shown: Shown | undefined;
  await expect(async () => {
    shown = await read(island);
  }).toPass(MODEL_READY);
  return shown!;
}

function read(island: Locator): Promise<Shown> {
  return island.evaluate((root) => {
    const num = (selector: string, name: string) => Number(root.querySelector(selector)!.getAttribute(name));
    const work = root.querySelector('[data-work]')!;
    return {
      tokens: Number(root.getAttribute('data-tokens')),
      mapRows: num('svg.map', 'data-rows'),
      cacheRows: num('[data-cache-rows]', 'data-cache-rows'),
      newRow: [...root.querySelectorAll('[data-new-row] tbody td')].map((td) => Number(td.getAttribute('data-value'))),
      sum: num('[data-new-row] [data-sum]', 'data-value'),
      difference: num('[data-difference]', 'data-difference'),
      work: Object.fromEntries(
        ['t', 'dk', 'dv', 'layers', 'heads', 'dmodel'].map((k) => [k, Number(work.getAttribute(`data-${k}`))])
          .concat(['step-cached', 'step-full', 'total-cached', 'total-full'].map((k) => [k, num(`[data-${k}]`, `data-${k}`)])),
      ),
      words: [...root.querySelectorAll('.text .chip:not(.next)')].map((c) => c.textContent!.trim()),
    };
  });
}

/** The multiply-adds of reading position t, as the chapter's formula gives them. */
function formula(w: Record<string, number>, t: number) {
  const perHead = w['layers']! * w['heads']! * (w['dk']! + w['dv']!);
  return { cached: perHead * ((t + 1) + w['dmodel']!), full: perHead * (t + 1) * ((t + 1) + w['dmodel']!) };
}

function expectConsistent(s: Shown) {
  const t = s.tokens - 1;
  // One row per token in the map and in every cache; the new row covers every cached key.
  expect(s.mapRows).toBe(s.tokens);
  expect(s.cacheRows).toBe(s.tokens);
  expect(s.newRow).toHaveLength(s.tokens);
  for (const w of s.newRow) expect(w).toBeGreaterThanOrEqual(0);
  expect(Math.abs(s.newRow.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
  expect(Math.abs(s.sum - 1)).toBeLessThan(1e-5);
  // The cached step equals recomputing the whole prefix.
  expect(s.difference).toBeLessThan(1e-5);
  // The counters are the formula at the t, d_k, d_v, layers and heads shown.
  expect(s.work['t']).toBe(t);
  expect(s.work).toMatchObject({ dk: 8, dv: 8, layers: 2, heads: 4, dmodel: 32 });
  expect(s.work['step-cached']).toBe(formula(s.work, t).cached);
  expect(s.work['step-full']).toBe(formula(s.work, t).full);
  let cached = 0;
  let full = 0;
  for (let p = 0; p <= t; p++) {
    cached += formula(s.work, p).cached;
    full += formula(s.work, p).full;
  }
  expect(s.work['total-cached']).toBe(cached);
  expect(s.work['total-full']).toBe(full);
}

/** Steps until the model writes <eos> (or the limit): the words read. */
async function generateToEnd(island: Locator): Promise<string[]> {
  const step = island.getByRole('button', { name: 'Step' });
  for (let i = 0; i < 70 && !(await island.getAttribute('data-end')); i++) {
    const n = await tokens(island);
    await step.click();
    await expect(island).toHaveAttribute('data-tokens', String(n + 1), MODEL_READY);
  }
  return (await shownAt(island, await tokens(island))).words;
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('shows the prompt read into the cache, the counters and the check, computed when the page was built', async ({ page }) => {
    await page.goto(CHAPTER);
    const island = page.locator(ISLAND);
    await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'static');
    const shown = await shownAt(island, 3);
    expect(shown.words).toEqual(['<bos>', 'the', 'cat']);
    expectConsistent(shown);
    await expect(island.locator('[data-next]')).toContainText('next:');
    await expect(island.locator('[data-reference]')).toContainText('the cat');
    await expect(island.getByRole('button', { name: 'Step' })).toBeDisabled();
  });
});

test('hydrates on WebGPU; each Step adds exactly one row to the map and to the cache, equal to recomputing the prefix', async ({ page, browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const staticPage = await context.newPage();
  await staticPage.goto(CHAPTER);
  const built = await shownAt(staticPage.locator(ISLAND), 3);
  await context.close();

  const island = await open(page);
  expect(await ready(island)).toBe('webgpu');
  await expect(island.locator('[data-compute-target]')).toContainText('Computed in your browser on WebGPU');
  let shown = await shownAt(island, 3);
  expectConsistent(shown);
  // The browser read the prompt as the build did.
  expect(shown.words).toEqual(built.words);
  shown.newRow.forEach((w, j) => expect(Math.abs(w - built.newRow[j]!)).toBeLessThan(1e-5));
  const cells = () => island.locator('svg.map rect[data-value]').count();
  expect(await cells()).toBe(6);
  for (let n = 4; n <= 6; n++) {
    await island.getByRole('button', { name: 'Step' }).click();
    const next = await shownAt(island, n);
    expectConsistent(next);
    expect(next.words.slice(0, -1)).toEqual(shown.words);
    // The new row only: the map's visible cells grow by n, its masked ones stay hatched.
    expect(await cells()).toBe((n * (n + 1)) / 2);
    await expect(island.locator('svg.map rect[data-masked]')).toHaveCount((n * (n - 1)) / 2);
    shown = next;
  }
  await expect(island.locator('[data-status]')).toContainText(`Step ${shown.tokens - 1}`);
});

test('the cached generation writes what greedy decoding without the cache wrote at build time, then stops at <eos>', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const reference = (await island.locator('[data-reference]').getAttribute('data-reference'))!.split(' ');
  const words = await generateToEnd(island);
  expect(words).toEqual(reference);
  await expect(island).toHaveAttribute('data-end', 'eos');
  await expect(island.locator('[data-status]')).toContainText('The model wrote <eos>');
  await expect(island.locator('[data-same]')).toHaveText(': the same text.');
  expectConsistent(await shownAt(island, words.length));
  // Step does nothing more, and says it is unavailable.
  const step = island.getByRole('button', { name: 'Step' });
  await expect(step).toHaveAttribute('aria-disabled', 'true');
  await step.click({ force: true });
  await expect(island).toHaveAttribute('data-tokens', String(words.length));
});

test('the keyboard: Enter and Space step, the cache picks the head, Reset starts again', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  await shownAt(island, 3);
  await island.getByRole('button', { name: 'Step' }).focus();
  await page.keyboard.press('Enter');
  await shownAt(island, 4);
  await page.keyboard.press('Space');
  expectConsistent(await shownAt(island, 5));
  await expect(island.getByRole('button', { name: 'Step' })).toBeFocused();

  const before = (await shownAt(island, 5)).newRow;
  await island.getByRole('button', { name: 'L1 h3 (layer 1, head 3: 5 keys and 5 values cached)' }).focus();
  await page.keyboard.press('Enter');
  await expect(island).toHaveAttribute('data-head', '1.3');
  await expect(island.getByRole('button', { name: /^L1 h3/ })).toHaveAttribute('aria-pressed', 'true');
  const other = await shownAt(island, 5);
  expect(other.newRow).not.toEqual(before);
  expectConsistent(other);

  await island.getByRole('button', { name: 'Reset' }).focus();
  await page.keyboard.press('Enter');
  expectConsistent(await shownAt(island, 3));
});

test('a prompt of your own: unknown words read as <unk>; empty text keeps the last state with a message; a long one fills the cache', async ({ page }) => {
  // The long prompt is read one token at a time, 64 steps, on a software WebGPU adapter.
  test.setTimeout(120_000);
  const island = await open(page);
  await ready(island);
  await island.getByRole('button', { name: 'Step' }).click();
  const kept = await shownAt(island, 4);

  const prompt = island.getByLabel('Prompt');
  await prompt.fill('   ');
  await prompt.press('Enter');
  await expect(island.getByRole('alert')).toHaveText('Type a sentence first: there are no words to read.');
  expect(await shownAt(island, 4)).toEqual(kept);

  await prompt.fill('the zebra');
  await prompt.press('Enter');
  const zebra = await shownAt(island, 3);
  expect(zebra.words).toEqual(['<bos>', 'the', 'zebra']);
  await expect(island.locator('.chip.unknown')).toHaveText('zebra');
  await expect(island.locator('[role="alert"]')).toBeEmpty();
  await expect(island.locator('[data-reference]')).toHaveCount(0);
  await island.getByRole('button', { name: 'Step' }).click();
  expectConsistent(await shownAt(island, 4));

  // 81 words, cut after the 63rd ("dog"), in the middle of a sentence.
  await prompt.fill('the cat sat on the mat and the dog '.repeat(9));
  await prompt.press('Enter');
  await expect(island).toHaveAttribute('data-end', 'length', MODEL_READY);
  await expect(island.locator('[data-status]')).toContainText('The cache holds 64 tokens');
  await expect(island.getByText('The model reads at most 63 words; this text has 81')).toBeVisible();
  expectConsistent(await shownAt(island, 64));
});

test('Play steps on its own and Pause stops it', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  await shownAt(island, 3);
  const play = island.getByRole('button', { name: 'Play' });
  await play.click();
  await expect(island).toHaveAttribute('data-playing', '');
  await expect(island.getByRole('button', { name: 'Pause' })).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => tokens(island), MODEL_READY).toBeGreaterThanOrEqual(5);
  await island.getByRole('button', { name: 'Pause' }).click();
  await expect(island).not.toHaveAttribute('data-playing', '');
  const paused = await tokens(island);
  await page.waitForTimeout(2000);
  expect(await tokens(island)).toBe(paused);
  expectConsistent(await shownAt(island, paused));
});

test('the map fits its box at every width, its legend wrapping rather than widening it', async ({ page }) => {
  for (const width of [1280, 360]) {
    await page.setViewportSize({ width, height: 740 });
    const island = await open(page);
    await ready(island);
    await shownAt(island, 3);
    const overhang = await island.locator('section.map').evaluate((section) => {
      const right = section.getBoundingClientRect().right;
      return Math.max(...['svg.map', '.legend', '.legend > *'].flatMap((s) => Array.from(section.querySelectorAll(s), (el) => el.getBoundingClientRect().right - right)));
    });
    expect(overhang).toBeLessThanOrEqual(0.5);
  }
});

test('with reduced motion Play is off and says why; Step still works and clears a message about the box', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  await shownAt(island, 3);
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await expect(island.getByRole('button', { name: 'Play' })).toBeDisabled();
  await expect(island.locator('[data-reduced]')).toHaveText('Play is off: your system asks for reduced motion. Step still works.');
  // An empty prompt is refused with a message, and the figure stays; a Step carries on with the text shown.
  await island.getByLabel('Prompt').fill('   ');
  await island.getByRole('button', { name: 'Reset' }).click();
  await expect(island.getByRole('alert')).not.toBeEmpty();
  await island.getByRole('button', { name: 'Step' }).click();
  await expect(island).toHaveAttribute('data-tokens', '4', MODEL_READY);
  await expect(island.locator('[role="alert"]')).toBeEmpty();
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  await expect(island.getByRole('button', { name: 'Play' })).toBeEnabled();
  await expect(island.locator('[data-reduced]')).toHaveCount(0);
});

test('the map’s numbers: in the page without JavaScript, built on opening once hydrated, and following every step', async ({ page, browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const staticPage = await context.newPage();
  await staticPage.goto(CHAPTER);
  await expect(staticPage.locator(`${ISLAND} .map table[data-weights] tbody tr`)).toHaveCount(3);
  await expect(staticPage.locator(`${ISLAND} .map table[data-weights] caption`)).toContainText('weights, queries down, keys across');
  await context.close();

  const island = await open(page);
  await ready(island);
  await shownAt(island, 3);
  const table = island.locator('.map table[data-weights]');
  // Closed, the table is not kept up to date at every step: it is not there at all.
  await expect(table).toHaveCount(0);
  await island.locator('.map summary').click();
  await expect(table).toBeVisible();
  /** The table's numbers and the map's, cell by cell (null where masked). */
  const numbers = () =>
    island.evaluate((root) => {
      const of = (cells: Element[]) => cells.map((c) => (c.hasAttribute('data-masked') ? null : Number(c.getAttribute('data-value'))));
      return {
        table: of([...root.querySelectorAll('.map table[data-weights] tbody td')]),
        map: of([...root.querySelectorAll('svg.map rect:is([data-value], [data-masked])')]),
      };
    });
  let shown = await numbers();
  expect(shown.table).toHaveLength(9);
  expect(shown.table).toEqual(shown.map);
  await island.getByRole('button', { name: 'Step' }).click();
  await shownAt(island, 4);
  await expect(table.locator('tbody tr')).toHaveCount(4);
  shown = await numbers();
  expect(shown.table).toHaveLength(16);
  expect(shown.table).toEqual(shown.map);
  await island.locator('.map summary').click();
  await expect(table).toHaveCount(0);
});

test('Play runs to <eos> and stops there', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const reference = (await island.locator('[data-reference]').getAttribute('data-reference'))!.split(' ');
  await island.getByRole('button', { name: 'Play' }).click();
  await expect(island).toHaveAttribute('data-end', 'eos', { timeout: 30_000 });
  await expect(island).not.toHaveAttribute('data-playing', '');
  expect((await shownAt(island, reference.length)).words).toEqual(reference);
});

async function stepsWith(browser: Browser, search: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const island = await open(page, search);
  const backend = await ready(island);
  const prompt = island.getByLabel('Prompt');
  await prompt.fill('tom met');
  await prompt.press('Enter');
  await shownAt(island, 3);
  const steps: Shown[] = [];
  for (let n = 4; n <= 7; n++) {
    await island.getByRole('button', { name: 'Step' }).click();
    steps.push(await shownAt(island, n));
  }
  const map = await island.locator('svg.map rect[data-value]').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-value'))));
  await context.close();
  return { backend, steps, map };
}

test('WebGPU and the CPU generate the same tokens with the same weights within 1e-5', async ({ browser }) => {
  const gpu = await stepsWith(browser, '');
  const cpu = await stepsWith(browser, '?compute=cpu');
  expect([gpu.backend, cpu.backend]).toEqual(['webgpu', 'cpu']);
  gpu.steps.forEach((s, i) => {
    const c = cpu.steps[i]!;
    expect(s.words).toEqual(c.words);
    expectConsistent(s);
    expectConsistent(c);
    s.newRow.forEach((w, j) => expect(Math.abs(w - c.newRow[j]!)).toBeLessThan(1e-5));
  });
  expect(gpu.map).toHaveLength(cpu.map.length);
  gpu.map.forEach((w, k) => expect(Math.abs(w - cpu.map[k]!)).toBeLessThan(1e-5));
});

test('at 360 px nothing overflows, however long the text grows', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const island = await open(page);
  await ready(island);
  await generateToEnd(island);
  await expectNoOverflow(page, island);
});

for (const theme of ['light', 'dark'] as const) {
  test(`axe finds no WCAG A or AA violation in the hydrated island, ${theme} theme`, async ({ page }) => {
    await page.addInitScript((t) => localStorage.setItem('theme', t), theme);
    const island = await open(page);
    await ready(island);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await island.getByRole('button', { name: 'Step' }).click();
    await shownAt(island, 4);
    await expectAccessible(page, ISLAND);
  });
}

test.describe('link', () => {
  /** What the island shows, the map's weights and its selected cell included. */
  const everything = async (island: Locator) => ({
    ...(await read(island)),
    map: await island.locator('svg.map rect[data-value]').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-value'))),
    readout: await island.locator('[data-readout]').textContent(),
  });

  test('a prompt, steps, a head and a cell open again from the link with the same numbers', async ({ page, browser }) => {
    const island = await open(page);
    await ready(island);
    await shownAt(island, 3);
    await island.getByLabel('Prompt').fill('the dog sat');
    await island.getByLabel('Prompt').press('Enter');
    await shownAt(island, 4);
    await island.getByRole('button', { name: 'Step' }).click();
    await shownAt(island, 5);
    await island.getByRole('button', { name: 'Step' }).click();
    await shownAt(island, 6);
    await island.getByRole('button', { name: /^L1 h3/ }).click();
    await island.locator('svg.map').focus();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowLeft');
    await expect(island).toHaveAttribute('data-share', /^text=the\+dog\+sat&step=2&layer=1&head=3&token=4&key=\d+$/);
    const share = (await island.getAttribute('data-share'))!;
    const shown = await everything(island);
    const again = await reopen(browser, chapterLink(CHAPTER, 'kv-generation', share), ISLAND, share, async (other) => {
      await shownAt(other, 6);
      return everything(other);
    });
    expect(again).toEqual(shown);
  });

  test('hostile values and a step past the end are refused with a notice and the built view is kept', async ({ page }) => {
    test.setTimeout(120_000);
    await expectRefusedAt(page, CHAPTER, 'kv-generation', ISLAND, { text: '<script>alert(1)</script>', step: '63', layer: '1e309', head: 'NaN', token: '<img src=x onerror=alert(1)>' });
  });
});
