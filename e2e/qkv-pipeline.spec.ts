import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { layOutEverythingIn, openIsland } from './site';
import { expectLinkReopens, expectRefused, HOSTILE } from './share-link';

/**
 * The Q-K-V pipeline of chapter 2. The expected numbers are never copied
 * from the figure's own code: each check recomputes what it needs in plain
 * JavaScript from the numbers the figure shows at full precision
 * (data-value), e.g. Q = X·W_Q and O = A·V, or compares two runs.
 */

const CHAPTER = '/chapters/query-key-value/';
const DERIVED = ['q', 'k', 'v', 'scores', 'scaled', 'masked', 'weights', 'output'] as const;
type Grid = number[][];

const root = (page: Page) => page.locator('.qkv');
const table = (page: Page, name: string) => page.locator(`table[data-matrix="${name}"]`);
/** Body cell (r, c) of a matrix (0-based, after the row's header cell). */
const cell = (page: Page, name: string, r: number, c: number) => table(page, name).locator('tbody tr').nth(r).locator('td[data-value], td.input').nth(c);
const input = (page: Page, name: string, r: number, c: number) => cell(page, name, r, c).locator('input');

const open = (page: Page, query = ''): Promise<Locator> => openIsland(page, CHAPTER, '.qkv', query);

/** The matrix as shown, at full precision. */
async function grid(page: Page, name: string): Promise<Grid> {
  return table(page, name).evaluate((t) =>
    [...(t as HTMLTableElement).tBodies[0]!.rows].map((row) => [...row.querySelectorAll('td[data-value]')].map((td) => Number((td as HTMLElement).dataset['value']))),
  );
}

const renders = async (page: Page) => Number(await root(page).getAttribute('data-renders'));

/** Waits until no run is in flight and at least `after` runs have reached the screen. */
async function settled(page: Page, after: number) {
  // Generous: the engine starts on the first edit, and the software WebGPU adapter shares two cores with the build.
  await expect(root(page)).not.toHaveAttribute('data-busy', /.*/, { timeout: 30_000 });
  await expect.poll(() => renders(page)).toBeGreaterThanOrEqual(after);
}

const matmul = (a: Grid, b: Grid): Grid => a.map((row) => b[0]!.map((_, c) => row.reduce((sum, x, k) => sum + x * b[k]![c]!, 0)));
const transpose = (a: Grid): Grid => a[0]!.map((_, c) => a.map((row) => row[c]!));

function expectClose(actual: Grid, expected: Grid, tolerance = 1e-5) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, r) => {
    expect(row.length).toBe(expected[r]!.length);
    row.forEach((x, c) => {
      const y = expected[r]![c]!;
      if (!Number.isFinite(y) || !Number.isFinite(x)) expect(x, `(${r}, ${c})`).toBe(y);
      else expect(Math.abs(x - y), `(${r}, ${c}): ${x} vs ${y}`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(y)));
    });
  });
}

/** Checks every stage against the one before, in plain JavaScript from the shown numbers. */
async function expectConsistent(page: Page, causal: boolean) {
  const names = ['x', 'wq', 'wk', 'wv', 'q', 'k', 'v', 'scores', 'scaled', 'weights', 'output'] as const;
  const shown = Object.fromEntries(await Promise.all(names.map(async (name) => [name, await grid(page, name)] as const))) as Record<(typeof names)[number], Grid>;
  const { x, wq, wk, wv, q, k, v, scores, scaled, weights, output } = shown;
  expectClose(q, matmul(x, wq));
  expectClose(k, matmul(x, wk));
  expectClose(v, matmul(x, wv));
  expectClose(scores, matmul(q, transpose(k)));
  const dk = q[0]!.length;
  expectClose(scaled, scores.map((row) => row.map((s) => s / Math.sqrt(dk))));
  weights.forEach((row, i) => {
    expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(1e-5);
    row.forEach((w, j) => {
      if (causal && j > i) expect(w).toBe(0);
      else expect(w).toBeGreaterThan(0);
    });
  });
  expectClose(output, matmul(weights, v));
}

/** Two decimals with a true minus sign, as the guide writes numbers. */
const fmt = (x: number) => {
  const text = Math.abs(x).toFixed(2);
  return x < 0 && Number(text) !== 0 ? `−${text}` : text;
};
const factor = (x: number) => (fmt(x).startsWith('−') ? `(${fmt(x)})` : fmt(x));

test.describe('the Q-K-V pipeline', () => {
  test('an edit to one number of X flows into Q, K, V, the scores, the weights and the output, computed on WebGPU', async ({ page }) => {
    await open(page);
    const before = Object.fromEntries(await Promise.all(DERIVED.filter((d) => d !== 'masked').map(async (d) => [d, await grid(page, d)] as const)));
    const x00 = Number(await cell(page, 'x', 0, 0).getAttribute('data-value'));

    const next = (x00 + 1.5).toFixed(1);
    await input(page, 'x', 0, 0).fill(next);
    await settled(page, 1);
    await expect(page.locator('.qkv [data-compute-target]')).toHaveAttribute('data-compute-target', 'webgpu');
    await expect(cell(page, 'x', 0, 0)).toHaveAttribute('data-value', String(Number(next)));

    const after = Object.fromEntries(await Promise.all(DERIVED.filter((d) => d !== 'masked').map(async (d) => [d, await grid(page, d)] as const)));
    // The first numbers were computed at build time on the CPU, the new ones on WebGPU: "unchanged" means within rounding.
    const moved = (a: number, b: number) => Math.abs(a - b) > 1e-3;
    // Row 0 ("cat") of Q, K and V changes; the other tokens' rows do not.
    for (const m of ['q', 'k', 'v']) {
      expect(after[m]![0]!.some((x, c) => moved(x, before[m]![0]![c]!))).toBe(true);
      expectClose(after[m]!.slice(1), before[m]!.slice(1));
    }
    // Every score that involves "cat" changes, as query (row 0) or as key (column 0); the rest do not.
    expect(after['scores']![0]!.every((s, j) => moved(s, before['scores']![0]![j]!))).toBe(true);
    expect(after['scores']!.slice(1).every((row, i) => moved(row[0]!, before['scores']![i + 1]![0]!))).toBe(true);
    expectClose(after['scores']!.slice(1).map((row) => row.slice(1)), before['scores']!.slice(1).map((row) => row.slice(1)));
    expect(after['weights']![0]!.some((w, j) => moved(w, before['weights']![0]![j]!))).toBe(true);
    expect(after['output']![0]!.some((o, c) => moved(o, before['output']![0]![c]!))).toBe(true);
    await expectConsistent(page, false);
  });

  test('a cell that is not a number is marked and named, and the matrices keep their last numbers', async ({ page }) => {
    await open(page);
    await input(page, 'x', 0, 1).fill('0.25');
    await settled(page, 1);
    const good = await Promise.all(DERIVED.filter((d) => d !== 'masked').map((d) => grid(page, d)));
    const shownRenders = await renders(page);
    const alert = page.locator('.qkv [role="alert"]');

    const cases: [string, string][] = [
      ['abc', 'X row 1 (cat), column 1: “abc” is not a number.'],
      ['1e999', 'X row 1 (cat), column 1: “1e999” is not a number.'],
      ['', 'X row 1 (cat), column 1 is empty: type a number.'],
      ['<b>1</b>', 'X row 1 (cat), column 1: “<b>1</b>” is not a number.'],
      ['😀', 'X row 1 (cat), column 1: “😀” is not a number.'],
      ['مرحبا', 'X row 1 (cat), column 1: “مرحبا” is not a number.'],
      ['5000', 'X row 1 (cat), column 1: “5000” is outside −1000 to 1000.'],
      ['7'.repeat(300), `X row 1 (cat), column 1: “${'7'.repeat(24)}…” is outside −1000 to 1000.`],
    ];
    const bad = input(page, 'x', 0, 0);
    for (const [text, message] of cases) {
      await bad.fill(text);
      await expect(alert).toContainText(message);
      await expect(alert).toContainText('The matrices keep the last numbers that were complete.');
      await expect(bad).toHaveAttribute('aria-invalid', 'true');
      // The reader's text stays in the cell, to be fixed.
      await expect(bad).toHaveValue(text);
      await expect(root(page)).not.toHaveAttribute('data-busy', /.*/);
      expect(await Promise.all(DERIVED.filter((d) => d !== 'masked').map((d) => grid(page, d)))).toEqual(good);
      expect(await renders(page)).toBe(shownRenders);
    }

    // A second bad cell, in W_Q, is counted.
    await input(page, 'wq', 1, 0).fill('abc');
    await expect(alert).toContainText('1 more cell needs fixing too.');
    await bad.fill('0.5');
    await expect(alert).toContainText('W_Q row 2, column 1: “abc” is not a number.');
    await expect(bad).not.toHaveAttribute('aria-invalid', /.*/);

    // Fixed, the figure computes again.
    await input(page, 'wq', 1, 0).fill('−0.5');
    await expect(alert).toBeEmpty();
    await settled(page, shownRenders + 1);
    await expect(cell(page, 'wq', 1, 0)).toHaveAttribute('data-value', '-0.5');
    await expectConsistent(page, false);
  });

  test('the causal mask hides later keys: −∞ in the masked scores and weight exactly 0 above the diagonal', async ({ page }) => {
    await open(page);
    await expect(table(page, 'masked')).toHaveCount(0);
    await root(page).getByLabel('Causal mask').check();
    await settled(page, 1);
    await expect(table(page, 'masked')).toHaveCount(1);
    const masked = await grid(page, 'masked');
    const scaled = await grid(page, 'scaled');
    masked.forEach((row, i) => row.forEach((s, j) => expect(s).toBe(j > i ? -Infinity : scaled[i]![j])));
    await expect(cell(page, 'masked', 0, 1)).toHaveText('−∞');
    await expectConsistent(page, true);
    // The first token can only attend to itself.
    expect((await grid(page, 'weights'))[0]![0]).toBe(1);

    await root(page).getByLabel('Causal mask').uncheck();
    await settled(page, 2);
    await expect(table(page, 'masked')).toHaveCount(0);
    await expectConsistent(page, false);
  });

  test('hovering a score explains it with its query row and key row, and highlights QKᵀ in the formula', async ({ page }) => {
    await open(page);
    const panel = page.locator('.qkv [data-explanation]');
    const q = await grid(page, 'q');
    const k = await grid(page, 'k');
    const scores = await grid(page, 'scores');
    const tokens = await table(page, 'scores').locator('tbody th').allTextContents();

    await cell(page, 'scores', 1, 2).hover();
    const terms = q[1]!.map((x, c) => `${factor(x)}×${factor(k[2]![c]!)}`).join(' + ');
    await expect(panel).toContainText(`Score of query “${tokens[1]}” against key “${tokens[2]}” (row 2, column 3)`);
    await expect(panel).toContainText(`query row 2 (${tokens[1]}) · key row 3 (${tokens[2]}) = ${terms} = ${fmt(scores[1]![2]!)}`);
    // The rows that fed it are marked: query row 2 and key row 3.
    await expect(table(page, 'q').locator('tbody tr').nth(1).locator('td.source')).toHaveCount(q[0]!.length);
    await expect(table(page, 'k').locator('tbody tr').nth(2).locator('td.source')).toHaveCount(k[0]!.length);
    await expect(table(page, 'q').locator('td.source')).toHaveCount(q[0]!.length);
    // The formula highlights QKᵀ, with a background and an underline.
    const formula = page.locator('.qkv .formula');
    await expect(formula).toHaveAttribute('data-highlight', 'scores');
    const highlighted = formula.locator('.term-scores').first();
    expect(await highlighted.evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)');
    expect(await highlighted.evaluate((el) => getComputedStyle(el).boxShadow)).not.toBe('none');

    // A weight: the softmax term instead, and the row of scaled scores that made it.
    await cell(page, 'weights', 3, 0).hover();
    await expect(formula).toHaveAttribute('data-highlight', 'weights');
    expect(await highlighted.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgba(0, 0, 0, 0)');
    await expect(panel).toContainText('A(4, 1) = exp(S(4, 1)) / Σ_l exp(S(4, l))');
    await expect(table(page, 'scaled').locator('tbody tr').nth(3).locator('td.source')).toHaveCount(scores.length);
  });

  test('the keyboard reaches every number: Tab through the inputs, arrow keys within a matrix, and focus explains', async ({ page }) => {
    await open(page);
    const panel = page.locator('.qkv [data-explanation]');
    // Type into X with the keyboard; the arrow keys move between rows.
    const first = input(page, 'x', 0, 0);
    await first.focus();
    await page.keyboard.press('ArrowDown');
    await expect(input(page, 'x', 1, 0)).toBeFocused();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('0.9');
    await settled(page, 1);
    await expect(cell(page, 'x', 1, 0)).toHaveAttribute('data-value', '0.9');

    // From the last input of W_V, Tab lands on Q, one stop for the whole matrix.
    const wv = await grid(page, 'wv');
    await input(page, 'wv', wv.length - 1, wv[0]!.length - 1).focus();
    await page.keyboard.press('Tab');
    await expect(cell(page, 'q', 0, 0)).toBeFocused();
    await expect(panel).toContainText('Q row 1, column 1');
    await page.keyboard.press('Tab');
    await expect(cell(page, 'k', 0, 0)).toBeFocused();

    // Arrow keys within the scores; focus explains, and highlights the formula's term.
    await cell(page, 'scores', 0, 0).focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect(cell(page, 'scores', 1, 2)).toBeFocused();
    await expect(cell(page, 'scores', 1, 2)).toHaveAttribute('tabindex', '0');
    await expect(cell(page, 'scores', 0, 0)).toHaveAttribute('tabindex', '-1');
    const tokens = await table(page, 'scores').locator('tbody th').allTextContents();
    await expect(panel).toContainText(`query row 2 (${tokens[1]}) · key row 3 (${tokens[2]})`);
    await expect(page.locator('.qkv .formula')).toHaveAttribute('data-highlight', 'scores');
    await page.keyboard.press('End');
    await expect(cell(page, 'scores', 1, tokens.length - 1)).toBeFocused();

    // Output cells say which weights and values made them, with the sum the engine computed.
    const weights = await grid(page, 'weights');
    const v = await grid(page, 'v');
    const output = await grid(page, 'output');
    await cell(page, 'output', 2, 1).focus();
    const terms = weights[2]!.map((a, j) => `${factor(a)}×${factor(v[j]![1]!)}`).join(' + ');
    await expect(panel).toContainText(`Σ_j A(3, j) V(j, 2) = ${terms} = ${fmt(output[2]![1]!)}`);
  });

  test('the token and d_k controls change the shapes, keep the reader’s numbers, and Reset restores the start', async ({ page }) => {
    await open(page);
    const start = await grid(page, 'x');
    await input(page, 'x', 0, 2).fill('0.33');
    await root(page).getByLabel('Tokens').selectOption('6');
    await root(page).getByLabel(/^Width d/).selectOption('5');
    await settled(page, 1);
    const shape = async (name: string) => {
      const g = await grid(page, name);
      return [g.length, g[0]!.length];
    };
    expect(await shape('x')).toEqual([6, 4]);
    expect(await shape('wq')).toEqual([4, 5]);
    expect(await shape('q')).toEqual([6, 5]);
    expect(await shape('scores')).toEqual([6, 6]);
    expect(await shape('weights')).toEqual([6, 6]);
    expect(await shape('output')).toEqual([6, 5]);
    await expect(table(page, 'scores').locator('thead th')).toHaveCount(7);
    await expect(input(page, 'x', 0, 2)).toHaveValue('0.33');
    await expectConsistent(page, false);
    const grown = await grid(page, 'x');

    // Shrinking and growing again fills the new cells the same way.
    await root(page).getByLabel('Tokens').selectOption('4');
    await settled(page, 2);
    expect(await shape('scores')).toEqual([4, 4]);
    await root(page).getByLabel('Tokens').selectOption('6');
    await settled(page, 3);
    expect(await grid(page, 'x')).toEqual(grown);

    await root(page).getByRole('button', { name: 'Reset', exact: true }).click();
    await settled(page, 4);
    expect(await grid(page, 'x')).toEqual(start);
    expect(await shape('q')).toEqual([4, 2]);
  });

  test('WebGPU and the CPU show the same numbers, within 1e-5', async ({ browser }) => {
    const run = async (query: string) => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await open(page, query);
      await root(page).getByLabel('Tokens').selectOption('7');
      await root(page).getByLabel(/^Width d/).selectOption('3');
      await root(page).getByLabel('Causal mask').check();
      await input(page, 'wk', 0, 0).fill('1.7');
      await settled(page, 1);
      await expect(table(page, 'masked')).toHaveCount(1);
      await expect(cell(page, 'wk', 0, 0)).toHaveAttribute('data-value', '1.7');
      const target = await page.locator('.qkv [data-compute-target]').getAttribute('data-compute-target');
      const grids = await Promise.all(DERIVED.map((d) => grid(page, d)));
      await expectConsistent(page, true);
      await context.close();
      return { target, grids };
    };
    const gpu = await run('');
    const cpu = await run('?compute=cpu');
    expect(gpu.target).toBe('webgpu');
    expect(cpu.target).toBe('cpu');
    gpu.grids.forEach((g, i) => expectClose(g, cpu.grids[i]!));
  });

  test('the island’s JavaScript carries no KaTeX: the formula was typeset when the page was built', async ({ page, request }) => {
    await open(page);
    await expect(page.locator('.qkv .formula .katex .term-scores')).toHaveCount(1);
    const island = page.locator('astro-island').filter({ has: page.locator('.qkv') });
    const entry = await island.getAttribute('component-url');
    // The island's module and every module it imports, statically or not.
    const seen = new Set<string>();
    const queue = [entry!];
    while (queue.length) {
      const url = queue.pop()!;
      if (seen.has(url)) continue;
      seen.add(url);
      const code = await (await request.get(url)).text();
      expect(code, url).not.toMatch(/katex/i);
      for (const m of code.matchAll(/["'`](\.{1,2}\/[^"'`]+\.js|\/_astro\/[^"'`]+\.js)["'`]/g)) queue.push(new URL(m[1]!, new URL(url, 'http://x')).pathname);
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  for (const theme of ['light', 'dark'] as const) {
    test(`axe finds no WCAG 2.2 A or AA violation in the island, ${theme} theme`, async ({ page }) => {
      await page.addInitScript((t) => localStorage.setItem('theme', t), theme);
      await open(page);
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      await root(page).getByLabel('Causal mask').check();
      await input(page, 'wq', 0, 0).fill('abc');
      await settled(page, 1);
      await cell(page, 'scores', 1, 1).hover();
      const results = await new AxeBuilder({ page }).include('.qkv').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
      expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    });
  }

  test('at 360 px wide the page does not overflow, even with 8 tokens and d_k = 8', async ({ page }) => {
    await page.setViewportSize({ width: 360, height: 740 });
    await open(page);
    await root(page).getByLabel('Tokens').selectOption('8');
    await root(page).getByLabel(/^Width d/).selectOption('8');
    await settled(page, 1);
    expect(await grid(page, 'scores')).toHaveLength(8);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBe(0);
    // The wide matrices scroll inside their own boxes instead.
    const box = table(page, 'wq').locator('xpath=..');
    expect(await box.evaluate((el) => el.scrollWidth > el.clientWidth && getComputedStyle(el).overflowX === 'auto')).toBe(true);
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the figure shows the numbers computed when the page was built', async ({ page, context }) => {
    await layOutEverythingIn(context);
    await page.goto(CHAPTER);
    const figure = root(page);
    await expect(figure.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'static');
    await expect(figure.locator('.formula .katex')).toHaveCount(1);
    await expect(root(page).getByLabel('Causal mask')).toBeDisabled();
    for (const name of ['x', 'wq', 'q', 'scores', 'scaled', 'weights', 'output']) {
      const g = await grid(page, name);
      expect(g.length).toBeGreaterThanOrEqual(4);
      expect(g.flat().every(Number.isFinite)).toBe(true);
    }
    await expect(cell(page, 'weights', 0, 0)).toHaveText(/^\d\.\d\d$/);
    // The numbers were computed, not placeholders: every stage follows from the one before.
    await expectConsistent(page, false);
  });
});

test.describe('link', () => {
  const DEMO = { chapter: CHAPTER, demo: 'qkv-pipeline', selector: '.qkv' };
  /** Every matrix as shown, at full precision. */
  const numbers = async (island: Locator) => Promise.all(['x', 'wq', ...DERIVED].map((name) => grid(island.page(), name)));

  test('sizes, mask and edited numbers reopen from the link with the same matrices', async ({ page }) => {
    const island = await open(page);
    await root(page).getByLabel('Tokens').selectOption('5');
    await root(page).getByLabel(/^Width d/).selectOption('3');
    await root(page).getByLabel('Causal mask').check();
    await input(page, 'x', 4, 1).fill('2.5');
    await input(page, 'wq', 3, 2).fill('-1');
    await settled(page, 1);
    await expect(island).toHaveAttribute('data-share', 'tokens=5&dk=3&mask=on&cells=x%3A4%3A1%3D2.5+wq%3A3%3A2%3D-1');
    await expectLinkReopens(page, island, DEMO, numbers);
  });

  test('hostile settings and cells that do not exist are refused with a notice, and the default matrices stay', async ({ page }) => {
    const island = await expectRefused(page, DEMO, { tokens: HOSTILE.huge, dk: HOSTILE.nan, mask: HOSTILE.markup, cells: 'x:8:0=1 wq:0:0=1e309' }, () => settled(page, 1));
    await expect(island.locator('[data-share-notice]')).toContainText('x:8:0=1 wq:0:0=1e309');
  });
});
