import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { expectAccessible, expectNoOverflow, openIsland, ready } from './site';
import { chapterLink, expectRefusedAt, lessRenders, reopen } from './share-link';

/**
 * FlashAttention's tiles in chapter 5: the tiled pass stepped block by block
 * (the engine's flashSteps), the running max and sum of every row, the
 * engine's traffic counts, and the final output against naive attention.
 */

const CHAPTER = '/chapters/making-it-scale/';
const SELECTOR = '[data-flash-tiles]';

const open = (page: Page, search = ''): Promise<Locator> => openIsland(page, CHAPTER, SELECTOR, search);

interface Shown {
  step: number;
  steps: number;
  renders: number;
  n: number;
  d: number;
  m: number[];
  l: number[];
  o: number[];
  naive: number[];
  flash: number[];
  difference: number;
  traffic: Record<string, number>;
}

/** Everything the island shows, at the full precision of its data attributes. */
function read(island: Locator): Promise<Shown> {
  return island.evaluate((root) => {
    const all = (name: string) => [...root.querySelectorAll(`[${name}]`)].map((el) => Number(el.getAttribute(name)));
    const one = (name: string) => Number(root.querySelector(`[${name}]`)!.getAttribute(name));
    const traffic: Record<string, number> = {};
    for (const kind of ['sofar', 'flash', 'standard']) {
      for (const what of ['reads', 'writes', 'sram']) {
        const el = root.querySelector(`[data-${kind}-${what}]`);
        if (el) traffic[`${kind}-${what}`] = Number(el.getAttribute(`data-${kind}-${what}`));
      }
    }
    return {
      step: Number(root.getAttribute('data-step')),
      steps: Number(root.getAttribute('data-steps')),
      renders: Number(root.getAttribute('data-renders')),
      n: Number(root.getAttribute('data-n')),
      d: Number(root.getAttribute('data-d')),
      m: all('data-m'),
      l: all('data-l'),
      o: all('data-o'),
      naive: all('data-naive'),
      flash: all('data-flash'),
      difference: one('data-difference'),
      traffic,
    };
  });
}

const largest = (a: number[], b: number[]) => {
  expect(a).toHaveLength(b.length);
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
};

/** Types a problem into the form and applies it; waits for the engine's answer. */
async function apply(island: Locator, values: Partial<Record<'n' | 'd' | 'blockRows' | 'blockCols' | 'seed', string>>) {
  const before = (await read(island)).renders;
  for (const [name, value] of Object.entries(values)) await island.locator(`input[name="${name}"]`).fill(value);
  await island.getByRole('button', { name: 'Apply' }).click();
  await expect.poll(async () => (await read(island)).renders).toBeGreaterThan(before);
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the figure shows the first state and the engine’s numbers, computed when the page was built', async ({ page }) => {
    await page.goto(CHAPTER);
    const island = page.locator(SELECTOR);
    await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'static');
    const shown = await read(island);
    expect(shown.step).toBe(0);
    expect(shown.steps).toBe(16); // N = 16 in blocks of 4: 4 × 4 tiles
    expect(shown.m).toHaveLength(16);
    expect(shown.naive).toHaveLength(64);
    expect(largest(shown.flash, shown.naive)).toBeLessThan(1e-5);
    expect(shown.traffic['flash-reads']).toBeGreaterThan(0);
    expect(shown.traffic['flash-reads']! + shown.traffic['flash-writes']!).toBeLessThan(shown.traffic['standard-reads']! + shown.traffic['standard-writes']!);
    await expect(island.locator('[data-status]')).toContainText('Before the first block');
  });
});

test('stepping to the end: m never falls, ℓ stays positive, and the output equals naive attention', async ({ page }) => {
  const island = await open(page);
  const first = await read(island);
  const highest = new Array<number>(first.n).fill(-Infinity);
  // Mouse on Step, then the keyboard on the figure.
  for (let s = 1; s <= first.steps; s++) {
    if (s <= 3) await island.locator('[data-step-button]').click();
    else {
      if (s === 4) await island.getByRole('slider', { name: /Step of the tiled pass/ }).focus();
      await page.keyboard.press('ArrowRight');
    }
    await expect(island).toHaveAttribute('data-step', String(s));
    const shown = await read(island);
    shown.m.forEach((m, r) => {
      const seen = m !== -Infinity && !Number.isNaN(m);
      if (seen) {
        expect(m).toBeGreaterThanOrEqual(highest[r]!);
        highest[r] = m;
        expect(shown.l[r]).toBeGreaterThan(0);
      } else {
        expect(shown.l[r]).toBe(0);
      }
    });
  }
  await ready(island);
  const end = await read(island);
  expect(end.l.every((l) => l > 0)).toBe(true);
  expect(largest(end.o, end.naive)).toBeLessThan(1e-5);
  expect(Number(await island.locator('[data-trace-difference]').getAttribute('data-trace-difference'))).toBeLessThan(1e-5);
  expect(end.difference).toBeLessThan(1e-5);
  await expect(island.locator('[data-check]')).toContainText('equals naive attention');
  // At the end, the counters stepped through equal the engine's count for the whole pass.
  expect(end.traffic['sofar-reads']).toBe(end.traffic['flash-reads']);
  expect(end.traffic['sofar-writes']).toBe(end.traffic['flash-writes']);
  // Back and Home by keyboard, Reset by mouse.
  await page.keyboard.press('ArrowLeft');
  await expect(island).toHaveAttribute('data-step', String(first.steps - 1));
  await page.keyboard.press('Home');
  await expect(island).toHaveAttribute('data-step', '0');
  await page.keyboard.press('End');
  await island.locator('[data-reset]').click();
  await expect(island).toHaveAttribute('data-step', '0');
});

test('the traffic counters: the engine’s, and a hand count for N = 4, d = 2, blocks of 2', async ({ page }) => {
  const island = await open(page);
  await apply(island, { n: '4', d: '2', blockRows: '2', blockCols: '2' });
  await island.locator('[data-end]').click();
  const shown = await read(island);
  expect(shown.steps).toBe(4);
  // Algorithm 1: line 2 writes O (8) and ℓ, m (4 + 4); each of 2 key blocks is read once (2 × (2 + 2));
  // each of 4 tiles reads Q_i, O_i, ℓ_i, m_i (2 × 6) and writes O_i, ℓ_i, m_i (2 × 4).
  // On chip: K_j, V_j, Q_i, O_i (4 each), S_ij (4), ℓ_i and m_i (2 + 2).
  expect(shown.traffic).toMatchObject({ 'flash-reads': 2 * 8 + 4 * 12, 'flash-writes': 16 + 4 * 8, 'flash-sram': 24, 'sofar-reads': 64, 'sofar-writes': 48 });
  // Algorithm 0: reads Q, K (8 + 8), S, P (16 + 16) and V (8); writes S, P (16 + 16) and O (8);
  // on chip at most P_ij, V_j, O_i: 4 + 4 + 4.
  expect(shown.traffic).toMatchObject({ 'standard-reads': 56, 'standard-writes': 40, 'standard-sram': 12 });
  expect(largest(shown.o, shown.naive)).toBeLessThan(1e-5);
});

test('bad input is refused with a message, and the last good problem stays', async ({ page }) => {
  const island = await open(page);
  await apply(island, { seed: '5' });
  const good = await read(island);
  await island.locator('input[name="blockRows"]').fill('40');
  await island.getByRole('button', { name: 'Apply' }).click();
  await expect(island.getByRole('alert')).toContainText('B_r must be a whole number from 1 to 16');
  await island.locator('input[name="blockRows"]').fill('4');
  await island.locator('input[name="d"]').fill('four');
  await island.locator('input[name="d"]').press('Enter');
  await expect(island.getByRole('alert')).toContainText('d must be a whole number');
  const after = await read(island);
  expect(after.naive).toEqual(good.naive);
  expect(after.renders).toBe(good.renders);
  await expect(island).toHaveAttribute('data-br', '4');
  await expect(island).toHaveAttribute('data-seed', '5');
  // A good problem clears the message.
  await apply(island, { d: '8', blockCols: '16' });
  await expect(island.locator('[role="alert"]')).toBeEmpty();
  expect((await read(island)).steps).toBe(4);
});

test('Play steps by itself and Pause stops it; with reduced motion Play is off and Step still works', async ({ page }) => {
  const island = await open(page);
  await island.locator('[data-play]').click();
  await expect(island).toHaveAttribute('data-playing', '');
  await expect.poll(async () => (await read(island)).step, { timeout: 5000 }).toBeGreaterThan(1);
  await island.locator('[data-play]').click();
  await expect(island).not.toHaveAttribute('data-playing', '');

  await page.emulateMedia({ reducedMotion: 'reduce' });
  await expect(island.locator('[data-play]')).toBeDisabled();
  const before = (await read(island)).step;
  await island.locator('[data-step-button]').click();
  await expect(island).toHaveAttribute('data-step', String(before + 1));
});

async function finalWith(browser: Browser, forceCpu: boolean) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const island = await open(page, forceCpu ? '?compute=cpu' : '');
  await apply(island, { n: '24', d: '8', blockRows: '5', blockCols: '7', seed: '3' });
  const backend = await ready(island);
  const shown = await read(island);
  await context.close();
  return { shown, backend };
}

test('WebGPU and the CPU give the same final outputs within 1e-5', async ({ browser }) => {
  const gpu = await finalWith(browser, false);
  const cpu = await finalWith(browser, true);
  expect(gpu.backend).toBe('webgpu');
  expect(cpu.backend).toBe('cpu');
  expect(largest(gpu.shown.flash, cpu.shown.flash)).toBeLessThan(1e-5);
  expect(largest(gpu.shown.naive, cpu.shown.naive)).toBeLessThan(1e-5);
  expect(gpu.shown.difference).toBeLessThan(1e-5);
  expect(gpu.shown.traffic).toEqual(cpu.shown.traffic);
});

for (const theme of ['light', 'dark'] as const) {
  test(`axe finds no WCAG A or AA violation in the hydrated island, ${theme} theme`, async ({ page }) => {
    await page.addInitScript((t) => localStorage.setItem('theme', t), theme);
    const island = await open(page);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await island.locator('[data-step-button]').click();
    await island.locator('[data-step-button]').click();
    await ready(island);
    await island.locator('details').evaluate((el) => ((el as HTMLDetailsElement).open = true));
    await expectAccessible(page, SELECTOR);
  });
}

test('at 360 px wide nothing overflows, and a keyboard can scroll every table wider than the screen', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const island = await open(page);
  await apply(island, { n: '32', d: '8' });
  await island.locator('[data-step-button]').click();
  await island.locator('details').evaluate((el) => ((el as HTMLDetailsElement).open = true));
  await expectNoOverflow(page, island);
  // The rows and the final outputs are wider than the screen: each scrolls in a box that takes focus (axe's scrollable-region-focusable).
  const wide = await island.locator('.scroll-x').evaluateAll((boxes) => boxes.filter((box) => box.scrollWidth > box.clientWidth).map((box) => box.getAttribute('tabindex')));
  expect(wide.length).toBeGreaterThanOrEqual(2);
  expect(wide.every((tabindex) => tabindex === '0')).toBe(true);
  await expectAccessible(page, SELECTOR);
});

test.describe('link', () => {
  const shown = lessRenders(read);

  test('a problem of your own and a step open again from the link with the same numbers', async ({ page, browser }) => {
    const island = await open(page);
    await apply(island, { n: '12', d: '3', blockRows: '3', blockCols: '5', seed: '7' });
    for (let s = 1; s <= 3; s++) {
      await island.locator('[data-step-button]').click();
      await expect(island).toHaveAttribute('data-step', String(s));
    }
    await expect(island).toHaveAttribute('data-share', 'n=12&d=3&br=3&bc=5&seed=7&step=3');
    const share = (await island.getAttribute('data-share'))!;
    const before = await shown(island);
    expect(await reopen(browser, chapterLink(CHAPTER, 'flash-tiles', share), SELECTOR, share, shown)).toEqual(before);
  });

  test('hostile or impossible values are refused with a notice and the built problem is kept', async ({ page }) => {
    await expectRefusedAt(page, CHAPTER, 'flash-tiles', SELECTOR, { n: '<script>alert(1)</script>', d: '1e309', seed: 'NaN', br: '20', step: '999', bc: '<img src=x onerror=alert(1)>' });
  });
});
