import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { holdThenFail, MODEL_READY, openIsland } from './site';
import { expectLinkReopens, expectRefused, HOSTILE } from './share-link';

/**
 * Chapter 3's concat-and-project figure (one attention layer of the trained
 * decoder: each head's output, the concatenation, W_O, the output) and its
 * parameter count panel.
 */

const CHAPTER = '/chapters/multi-head-attention/';
const ISLAND = '[data-concat-project]';
const PARAMS = '[data-param-count]';
// The model loads and runs in the browser; on a software WebGPU adapter that takes a while.

const open = (page: Page, query = ''): Promise<Locator> => openIsland(page, CHAPTER, ISLAND, query);

/** Waits until the browser has computed the layer, and says on which backend. */
async function ready(island: Locator): Promise<string> {
  const status = island.locator('[data-compute-target]');
  await expect(status).toHaveAttribute('data-compute-target', /^(webgpu|cpu)$/, MODEL_READY);
  await expect(island.locator('[data-table="output"]')).toHaveCount(1);
  return (await status.getAttribute('data-compute-target'))!;
}

/** One of the full tables, row by row, at the full precision of data-value. */
function matrix(island: Locator, name: string): Promise<number[][]> {
  return island
    .locator(`[data-table="${name}"] tbody tr`)
    .evaluateAll((rows) => rows.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.getAttribute('data-value')))));
}

interface Layer {
  heads: number[][][];
  concat: number[][];
  wo: number[][];
  output: number[][];
  difference: number;
}

async function layer(island: Locator): Promise<Layer> {
  return {
    heads: await Promise.all([0, 1, 2, 3].map((h) => matrix(island, `head-${h}`))),
    concat: await matrix(island, 'concat'),
    wo: await matrix(island, 'wo'),
    output: await matrix(island, 'output'),
    difference: Number(await island.locator('[data-difference]').getAttribute('data-difference')),
  };
}

const flat = (m: number[][]) => m.flat();
function largestDifference(a: number[], b: number[]): number {
  expect(a).toHaveLength(b.length);
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
}

async function renders(island: Locator): Promise<number> {
  return Number(await island.getAttribute('data-renders'));
}

/** The row table's numbers as shown (two decimals). */
function rowTable(island: Locator): Promise<string[]> {
  return island.locator('[data-row-table] tbody td').allTextContents();
}

const two = (x: number) => x.toFixed(2).replace('-', '\u2212');
const selectedChip = (island: Locator) => island.locator('[role="option"][aria-selected="true"]');

/**
 * Where to click, relative to a map's box, for the cell in `row` and `column` of its first block (10
 * viewBox units a cell). That block's origin is in its transform: translate(x, top + half a cell) scale(10).
 */
function cellPosition(map: Locator, row: number, column: number): Promise<{ x: number; y: number }> {
  return map.evaluate(
    (svg: SVGSVGElement, [row, column]) => {
      const view = svg.viewBox.baseVal;
      const scale = svg.getBoundingClientRect().width / view.width;
      const [x0, y0] = svg.querySelector('g')!.getAttribute('transform')!.match(/[\d.]+/g)!.map(Number) as [number, number];
      return { x: (x0 + column * 10 + 5 - view.x) * scale, y: (y0 + row * 10 - view.y) * scale };
    },
    [row, column] as const,
  );
}

async function expectShapes(island: Locator) {
  await expect(island.locator('[data-shape="head"]')).toHaveText('12 × 8');
  await expect(island.locator('[data-shape="concat"]')).toHaveText('12 × 32');
  await expect(island.locator('[data-shape="wo"]')).toHaveText('32 × 32');
  await expect(island.locator('[data-shape="output"]')).toHaveText('12 × 32');
  await expect(island.locator('[data-identity]')).toContainText('= h × dk: 32 = 4 × 8');
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the figure shows layer 0 as the build computed it: maps, shapes, the row of “it” and the difference', async ({ page }) => {
    await page.goto(CHAPTER);
    const island = page.locator(ISLAND);
    await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'static');
    await expectShapes(island);
    await expect(selectedChip(island)).toHaveText('it');
    await expect(island).toHaveAttribute('data-layer', '0');
    // The five maps: heads 0 and 1, heads 2 and 3 (2 × 8 columns each), concatenation, W_O, output.
    const maps = island.locator('svg[role="img"]');
    await expect(maps).toHaveCount(5);
    expect(await maps.evaluateAll((svgs) => svgs.map((s) => `${s.getAttribute('data-rows')}×${s.getAttribute('data-cols')}`))).toEqual([
      '12×16',
      '12×16',
      '12×32',
      '32×32',
      '12×32',
    ]);
    expect(Number(await island.locator('[data-difference]').getAttribute('data-difference'))).toBeLessThan(1e-5);
    const shown = await rowTable(island);
    expect(shown).toHaveLength(64);
    for (const text of shown) expect(text).toMatch(/^−?\d+\.\d\d$/);
    await expect(island.locator('[data-row-table] caption')).toContainText('Row “it”, layer 0');
    await expect(island.getByRole('radio', { name: 'Layer 1' })).toBeDisabled();
  });

  test('the parameter panel counts the trained model and GPT-3 175B', async ({ page }) => {
    await page.goto(CHAPTER);
    const panel = page.locator(PARAMS);
    await expect(panel.locator('[data-identity="trained"]')).toHaveText('4 × 8 = 32');
    await expect(panel.locator('[data-identity="large"]')).toHaveText('96 × 128 = 12,288');
    await expect(panel.locator('[data-count="trained-layer"]')).toHaveText('4,096');
    await expect(panel.locator('[data-count="trained-total"]')).toHaveText('2 × 4,096 = 8,192');
    await expect(panel.locator('[data-count="large-layer"]')).toHaveText('603,979,776');
    await expect(panel.locator('[data-count="large-total"]')).toHaveText('96 × 603,979,776 = 57,982,058,496');
    await expect(panel).toContainText('Brown et al. 2020');
  });
});

test('hydrates, runs the layer on WebGPU and lists every number in matrices of the right shapes', async ({ page }) => {
  const island = await open(page);
  expect(await ready(island)).toBe('webgpu');
  await expect(island.locator('[data-compute-target]')).toContainText('Computed in your browser on WebGPU');
  await expectShapes(island);
  const shown = await layer(island);
  for (const head of shown.heads) expect(head.map((r) => r.length)).toEqual(Array(12).fill(8));
  expect(shown.concat.map((r) => r.length)).toEqual(Array(12).fill(32));
  expect(shown.wo.map((r) => r.length)).toEqual(Array(32).fill(32));
  expect(shown.output.map((r) => r.length)).toEqual(Array(12).fill(32));
  expect(shown.difference).toBeLessThan(1e-5);
  await expect(island.locator('[data-difference]')).toContainText(/^(0, the same float32 numbers|\d(\.\d)? × 10⁻\S+)$/);
});

test('the concatenation is the heads’ outputs side by side, and the row table is the selected row', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  for (const l of [0, 1]) {
    if (l === 1) {
      await island.getByRole('radio', { name: 'Layer 1' }).check();
      await expect(island).toHaveAttribute('data-layer', '1', MODEL_READY);
    }
    const shown = await layer(island);
    const sideBySide = shown.concat.map((_, i) => shown.heads.flatMap((head) => head[i]!));
    expect(largestDifference(flat(sideBySide), flat(shown.concat)), `layer ${l}`).toBeLessThan(1e-6);
    // "it" is row 8: its concatenated row and output row, 8 to a line, as the tables show them.
    expect(await rowTable(island)).toEqual([...shown.concat[8]!, ...shown.output[8]!].map(two));
    expect(shown.difference).toBeLessThan(1e-5);
  }
});

test('arrow keys, Home and End move the row; the tables and the outlines follow', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const shown = await layer(island);
  await selectedChip(island).focus();

  await page.keyboard.press('ArrowLeft');
  await expect(selectedChip(island)).toHaveText('because');
  await expect(selectedChip(island)).toBeFocused();
  await expect(island).toHaveAttribute('data-row', '7');
  await expect(island.locator('[data-row-table] caption')).toContainText('Row “because”');
  expect(await rowTable(island)).toEqual([...shown.concat[7]!, ...shown.output[7]!].map(two));
  // The outlined row in the maps and the highlighted row in the full tables.
  await expect(island.locator('svg .labels text[font-weight="700"]').first()).toHaveText('because');
  await expect(island.locator('[data-table="concat"] tr.on th')).toHaveText('because');

  await page.keyboard.press('Home');
  await expect(selectedChip(island)).toHaveText('start');
  await page.keyboard.press('End');
  await expect(selectedChip(island)).toHaveText('.');
  await page.keyboard.press('ArrowRight');
  await expect(island).toHaveAttribute('data-row', '11');
  expect(await rowTable(island)).toEqual([...shown.concat[11]!, ...shown.output[11]!].map(two));

  // The head picker: native radios, so the arrow keys move it.
  await island.getByRole('radio', { name: 'Head 0' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(island.getByRole('radio', { name: 'Head 1' })).toBeChecked();
  await expect(island).toHaveAttribute('data-head', '1');
  await expect(island.locator('[data-readout]')).toContainText('head 1’s 8 numbers fill columns 8–15');
  await expect(island.locator('[data-row-table] tr.on th')).toHaveText('Concat 8–15 (head 1)');
});

test('a click on a chip or on a map picks the row, and on a map the head', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const before = await renders(island);
  await island.locator('[role="option"]', { hasText: 'cat' }).click();
  await expect(island).toHaveAttribute('data-row', '2');
  await expect.poll(() => renders(island)).toBeGreaterThan(before);

  // The concatenation's cell in row 5, column 20 (head 2's slice).
  const concat = island.locator('svg[role="img"]').nth(2);
  await concat.click({ position: await cellPosition(concat, 5, 20) });
  await expect(island).toHaveAttribute('data-row', '5');
  await expect(island).toHaveAttribute('data-head', '2');
  await expect(island.getByRole('radio', { name: 'Head 2' })).toBeChecked();

  // W_O's last band of rows belongs to head 3.
  const wo = island.locator('svg[role="img"]').nth(3);
  const box = (await wo.boundingBox())!;
  await wo.click({ position: { x: box.width / 2, y: box.height - 4 } });
  await expect(island).toHaveAttribute('data-head', '3');
  await expect(island).toHaveAttribute('data-row', '5');

  // The second map of heads' outputs starts at head 2: its first block's cell in row 1 picks head 2, outlined in that map only.
  const half = island.locator('svg[role="img"]').nth(1);
  await half.click({ position: await cellPosition(half, 1, 0) });
  await expect(island).toHaveAttribute('data-head', '2');
  await expect(island).toHaveAttribute('data-row', '1');
  await expect(half.locator('[data-picked-edge]')).toHaveCount(1);
  await expect(island.locator('svg[role="img"]').first().locator('[data-picked-edge]')).toHaveCount(0);
  await expect(half).toHaveAttribute('aria-label', /heads 2 and 3, .* and head 2 outlined$/);
});

test('the heads’ outputs are two maps of two heads: side by side on a wide screen, one above the other on a phone, where a cell stays over 12 px', async ({ page }) => {
  for (const [width, stacked] of [[1280, false], [600, false], [540, true], [360, true]] as const) {
    await page.setViewportSize({ width, height: 900 });
    const island = await open(page);
    await ready(island);
    const [first, second] = await island.locator('.step').first().locator('svg[role="img"]').evaluateAll((svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        return { top: box.top, bottom: box.bottom, left: box.left, cell: (box.width / (svg as SVGSVGElement).viewBox.baseVal.width) * 10 };
      }),
    );
    if (stacked) {
      expect(second!.top).toBeGreaterThanOrEqual(first!.bottom);
      expect(second!.left).toBeCloseTo(first!.left, 0);
    } else {
      expect(second!.top).toBeCloseTo(first!.top, 0);
      expect(second!.left).toBeGreaterThan(first!.left);
    }
    for (const map of [first!, second!]) expect(map.cell).toBeGreaterThan(12);
  }
});

test('switching layers recomputes: other numbers, the same shapes, the same identity', async ({ page }) => {
  const island = await open(page);
  await ready(island);
  const layer0 = await layer(island);
  const before = await renders(island);
  await island.getByRole('radio', { name: 'Layer 1' }).check();
  await expect(island).toHaveAttribute('data-layer', '1', MODEL_READY);
  await expect.poll(() => renders(island)).toBeGreaterThan(before);
  await expectShapes(island);
  const layer1 = await layer(island);
  expect(largestDifference(flat(layer1.wo), flat(layer0.wo))).toBeGreaterThan(0.01);
  expect(largestDifference(flat(layer1.output), flat(layer0.output))).toBeGreaterThan(0.01);
  expect(layer1.difference).toBeLessThan(1e-5);
  await expect(island.locator('[data-row-table] caption')).toContainText('layer 1');
});

test('the browser computes the same row as the build did', async ({ page, browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const staticPage = await context.newPage();
  await staticPage.goto(CHAPTER);
  const built = await rowTable(staticPage.locator(ISLAND));
  await context.close();

  const island = await open(page);
  await ready(island);
  const shown = await layer(island);
  expect(built).toEqual([...shown.concat[8]!, ...shown.output[8]!].map(two));
});

async function bothLayers(browser: Browser, query: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const island = await open(page, query);
  const backend = await ready(island);
  const layer0 = await layer(island);
  await island.getByRole('radio', { name: 'Layer 1' }).check();
  await expect(island).toHaveAttribute('data-layer', '1', MODEL_READY);
  await expect(island.locator('[data-table="wo"] caption')).toBeAttached();
  await expect(island.locator('[data-row-table] caption')).toContainText('layer 1');
  const layer1 = await layer(island);
  await context.close();
  return { backend, layers: [layer0, layer1] };
}

test('WebGPU and the CPU (?compute=cpu) show the same numbers within 1e-5', async ({ browser }) => {
  const gpu = await bothLayers(browser, '');
  const cpu = await bothLayers(browser, '?compute=cpu');
  expect(gpu.backend).toBe('webgpu');
  expect(cpu.backend).toBe('cpu');
  gpu.layers.forEach((g, l) => {
    const c = cpu.layers[l]!;
    for (const key of ['concat', 'wo', 'output'] as const) expect(largestDifference(flat(g[key]), flat(c[key])), `layer ${l} ${key}`).toBeLessThan(1e-5);
    g.heads.forEach((head, h) => expect(largestDifference(flat(head), flat(c.heads[h]!)), `layer ${l} head ${h}`).toBeLessThan(1e-5));
    expect(g.difference).toBeLessThan(1e-5);
    expect(c.difference).toBeLessThan(1e-5);
  });
});

test('while the model loads, and when it fails, the figure keeps the build’s maps and says so', async ({ page }) => {
  const release = await holdThenFail(page, '**/models/decoder.bin');
  const island = await open(page);
  await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'loading');
  await expect(island.locator('[data-loading]')).toContainText('Loading the model');
  const built = await rowTable(island);
  expect(built).toHaveLength(64);
  release();
  await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'failed');
  await expect(island.locator('[data-failed]')).toContainText('The model could not run here');
  expect(await rowTable(island)).toEqual(built);
  await expect(island.locator('svg[role="img"]')).toHaveCount(5);
  await expectShapes(island);
});

test('at 360 px nothing overflows', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const island = await open(page);
  await ready(island);
  await island.locator('details.numbers summary').click();
  const params = page.locator(PARAMS);
  await params.scrollIntoViewIfNeeded();
  const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(width.scroll).toBeLessThanOrEqual(width.client);
  for (const root of [island, params]) {
    const box = await root.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(box.scroll).toBeLessThanOrEqual(box.client);
  }
  // The tables are wider than the screen and scroll in their boxes; each caption stays whole inside its box.
  const captions = await island.locator('.scroll-x caption').evaluateAll((all) =>
    all.map((caption) => {
      const [own, box] = [caption.getBoundingClientRect(), caption.closest('.scroll-x')!.getBoundingClientRect()];
      return own.left >= box.left - 0.5 && own.right <= box.right + 0.5;
    }),
  );
  expect(captions.length).toBeGreaterThan(1);
  expect(captions.every(Boolean)).toBe(true);
  // The counts' table is wider than the screen too: its box scrolls, with a shadow at an edge that has more beyond it.
  const cue = await params.locator('.scroll-x').evaluate((el) => ({ scrolls: el.scrollWidth > el.clientWidth, attachment: getComputedStyle(el).backgroundAttachment }));
  expect(cue).toEqual({ scrolls: true, attachment: 'local, local, scroll, scroll' });
});

for (const theme of ['light', 'dark'] as const) {
  test(`the picked head's outline is drawn in the text colour over a halo in the background colour, ${theme} theme`, async ({ page }) => {
    await page.addInitScript((t) => localStorage.setItem('theme', t), theme);
    const island = await open(page);
    await ready(island);
    // Each outlined map: the halo under the outline, the same box, in the page's two colours (the scale's middle is pale in both themes).
    const outlines = await island.locator('[data-picked-edge]').evaluateAll((halos) =>
      halos.map((halo) => {
        const line = halo.nextElementSibling!;
        const box = (el: Element) => ['x', 'y', 'width', 'height'].map((a) => el.getAttribute(a)).join(' ');
        const page = getComputedStyle(document.body);
        return { sameBox: box(halo) === box(line), halo: getComputedStyle(halo).stroke === page.backgroundColor, line: getComputedStyle(line).stroke === page.color };
      }),
    );
    expect(outlines.length).toBeGreaterThan(0);
    for (const outline of outlines) expect(outline).toEqual({ sameBox: true, halo: true, line: true });
  });

  test(`axe finds no WCAG 2 A/AA violation in either island once hydrated, ${theme} theme`, async ({ page }) => {
    await page.addInitScript((t) => localStorage.setItem('theme', t), theme);
    const island = await open(page);
    await ready(island);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await island.locator('details.numbers summary').click();
    const params = page.locator(PARAMS);
    await params.scrollIntoViewIfNeeded();
    await expect(params).toHaveAttribute('data-hydrated', '');
    await params.getByRole('textbox').fill('5');
    await expect(params.getByRole('alert')).not.toBeEmpty();
    const results = await new AxeBuilder({ page }).include(ISLAND).include(PARAMS).withTags(['wcag2a', 'wcag2aa']).analyze();
    const summary = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n  ')}`);
    expect(summary).toEqual([]);
  });
}

test.describe('the parameter count', () => {
  const openPanel = (page: Page) => openIsland(page, CHAPTER, PARAMS);

  test('another h for the trained model’s width: narrower or wider heads, the same 4 · 32² parameters a layer', async ({ page }) => {
    const panel = await openPanel(page);
    const input = panel.getByRole('textbox', { name: /Heads h/ });
    for (const [h, dk] of [
      [8, 4],
      [16, 2],
      [1, 32],
      [32, 1],
    ] as const) {
      const before = Number(await panel.getAttribute('data-renders'));
      await input.fill(String(h));
      await expect(panel).toHaveAttribute('data-heads', String(h));
      await expect.poll(async () => Number(await panel.getAttribute('data-renders'))).toBeGreaterThan(before);
      await expect(panel.locator('[data-identity="trained"]')).toHaveText(`${h} × ${dk} = 32`);
      await expect(panel.locator('[data-count="trained-layer"]')).toHaveText('4,096');
      await expect(panel.locator('[data-count="trained-total"]')).toHaveText('2 × 4,096 = 8,192');
      await expect(panel.locator('[data-count="large-layer"]')).toHaveText('603,979,776');
      await expect(panel.locator('thead th').nth(1)).toHaveText(`Trained decoder, split into ${h === 1 ? 'one head' : `${h} heads`}`);
      await expect(panel.locator('[data-sentence]')).toContainText(
        h === 1 ? 'One head of 32 instead of 4 of 8: as wide as the model, and still' : `${h} heads of ${dk} instead of 4 of 8: ${h} × ${dk} = 32, and still`,
      );
    }
    await expect(panel.locator('[data-sentence]')).toContainText('and still 4,096 parameters a layer');
  });

  test('bad input: an h that does not divide 32, or is not a number, is refused with a message; the last good split stays', async ({ page }) => {
    const panel = await openPanel(page);
    const input = panel.getByRole('textbox', { name: /Heads h/ });
    await input.fill('8');
    await expect(panel).toHaveAttribute('data-heads', '8');
    await input.fill('5');
    await expect(panel.getByRole('alert')).toHaveText(
      'h must divide d_model = 32 evenly, so that every head is d_k = d_model / h wide: 32 / 5 is not a whole number. Try 1, 2, 4, 8, 16 or 32.',
    );
    await expect(panel).toHaveAttribute('data-heads', '8');
    await expect(panel.locator('[data-identity="trained"]')).toHaveText('8 × 4 = 32');
    for (const text of ['four', '64', '0', '']) {
      await input.fill(text);
      await expect(panel.getByRole('alert')).not.toBeEmpty();
      await expect(panel).toHaveAttribute('data-heads', '8');
    }
    await input.fill('4');
    await expect(panel.locator('[role="alert"]')).toBeEmpty();
    await expect(panel).toHaveAttribute('data-heads', '4');
    await expect(panel.locator('[data-sentence]')).toContainText('The trained model has 4 heads of 8');
  });
});

test.describe('link', () => {
  const DEMO = { chapter: CHAPTER, demo: 'concat-project', selector: ISLAND };
  const PANEL = { chapter: CHAPTER, demo: 'param-count', selector: PARAMS };
  const numbers = async (island: Locator) => ({ layer: await layer(island), row: await rowTable(island) });
  const counts = (panel: Locator) => panel.locator('[data-count]').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-value')));

  test('a layer, a head and a row reopen from the link with the same numbers', async ({ page }) => {
    const island = await open(page);
    await ready(island);
    await island.getByRole('radio', { name: 'Layer 1' }).check();
    await expect(island).toHaveAttribute('data-layer', '1', MODEL_READY);
    await island.getByRole('radio', { name: 'Head 2' }).check();
    await island.locator('[role="option"]', { hasText: 'cat' }).click();
    await expect(island).toHaveAttribute('data-share', 'layer=1&head=2&token=2');
    await expectLinkReopens(page, island, DEMO, numbers);
  });

  test('hostile settings and a row beyond the sentence are refused with a notice, and the default view stays', async ({ page }) => {
    const island = await expectRefused(page, DEMO, { layer: HOSTILE.markup, head: HOSTILE.huge, token: '40' }, ready);
    await expect(island.locator('[data-share-notice]')).toContainText('tokens 0 to 11');
  });

  test('the parameter count: a head count reopens from the link with the same counts; hostile values are refused', async ({ page }) => {
    const panel = await openIsland(page, CHAPTER, PARAMS);
    await panel.getByRole('textbox', { name: /Heads h/ }).fill('16');
    await expect(panel).toHaveAttribute('data-share', 'heads=16');
    await expectLinkReopens(page, panel, PANEL, counts);
    await page.goto('about:blank');
    await expectRefused(page, PANEL, { heads: '5', layer: HOSTILE.markup, dk: HOSTILE.nan });
  });
});
