import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { ringMemory } from '../src/islands/ring/ring';
import { expectAccessible, expectNoOverflow, openIsland, ready } from './site';
import { chapterLink, expectRefusedAt, lessRenders, reopen } from './share-link';

/**
 * Ring attention in chapter 5: P devices on a ring, the key/value blocks
 * moving one device onwards per round, what each device has accumulated,
 * its memory, and the result against full attention.
 */

const CHAPTER = '/chapters/making-it-scale/';
const ISLAND = '[data-ring-attention]';

const open = (page: Page, search = ''): Promise<Locator> => openIsland(page, CHAPTER, ISLAND, search);

interface Shown {
  devices: number;
  tokens: number;
  width: number;
  round: number;
  renders: number;
  held: number[];
  seen: number[];
  firstRows: number[][];
  gaps: number[];
  ringGap: number;
  memory: number[];
}

/** Everything the island shows for the current round, at the full precision of its data attributes. */
function read(island: Locator): Promise<Shown> {
  return island.evaluate((root) => {
    const n = (el: Element, name: string) => Number(el.getAttribute(name));
    const rows = [...root.querySelectorAll('[data-devices-table] tbody tr')];
    return {
      devices: n(root, 'data-devices'),
      tokens: n(root, 'data-tokens'),
      width: n(root, 'data-width'),
      round: n(root, 'data-round'),
      renders: n(root, 'data-renders'),
      held: rows.map((tr) => n(tr.querySelector('[data-held]')!, 'data-held')),
      seen: rows.map((tr) => n(tr.querySelector('[data-seen]')!, 'data-seen')),
      firstRows: rows.map((tr) => [...tr.querySelectorAll('[data-value]')].map((el) => n(el, 'data-value'))),
      gaps: rows.map((tr) => n(tr.querySelector('[data-gap]')!, 'data-gap')),
      ringGap: n(root.querySelector('[data-ring-gap]')!, 'data-ring-gap'),
      memory: [...root.querySelectorAll('[data-memory-table] [data-bytes]')].map((el) => n(el, 'data-bytes')),
    };
  });
}

/** The memory table's cells, in its order, from the pure function. */
function expectedMemory(tokens: number, width: number, devices: number): number[] {
  const { device, single } = ringMemory(tokens, width, devices);
  return [
    device.queries,
    single.queries,
    device.held,
    single.keysValues,
    device.inFlight,
    0,
    device.output,
    single.output,
    device.statistics,
    0,
    device.total,
    single.total,
  ];
}

const largestDifference = (a: number[], b: number[]) => {
  expect(a).toHaveLength(b.length);
  return Math.max(0, ...a.map((x, i) => Math.abs(x - b[i]!)));
};

/** Steps through every round with the Step button, checking that each round passes every block to the next device. */
async function stepThrough(island: Locator, press: (button: Locator) => Promise<void>): Promise<Shown[]> {
  const rounds = [await read(island)];
  const P = rounds[0]!.devices;
  for (let s = 1; s < P; s++) {
    const before = rounds.at(-1)!;
    await press(island.getByRole('button', { name: 'Step' }));
    await expect(island).toHaveAttribute('data-round', String(s));
    await expect.poll(async () => (await read(island)).renders).toBeGreaterThan(before.renders);
    const now = await read(island);
    for (let p = 0; p < P; p++) expect(now.held[(p + 1) % P], `round ${s + 1}, device ${p + 1}`).toBe(before.held[p]);
    for (let p = 0; p < P; p++) expect(now.seen[p]).toBe(before.seen[p]! + now.tokens / P);
    rounds.push(now);
  }
  await expect(island.getByRole('button', { name: 'Step' })).toBeDisabled();
  return rounds;
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the figure shows the first round, the result and the memory, computed when the page was built', async ({ page }) => {
    await page.goto(CHAPTER);
    const island = page.locator(ISLAND);
    await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'static');
    const shown = await read(island);
    expect(shown.round).toBe(0);
    expect(shown.held).toEqual([...Array(shown.devices).keys()]);
    expect(shown.ringGap).toBeLessThan(1e-5);
    expect(Math.min(...shown.gaps)).toBeGreaterThan(1e-3);
    expect(shown.memory).toEqual(expectedMemory(shown.tokens, shown.width, shown.devices));
    await expect(island.locator('[data-round-text]')).toHaveText(`Round 1 of ${shown.devices}`);
    await expect(island.locator('svg[role="img"]')).toHaveAttribute('aria-label', /device 1 holds K1 V1/);
  });
});

test('Step moves each key/value block to the next device; after the last round the result equals full attention; Reset starts again', async ({ page }) => {
  const island = await open(page);
  const rounds = await stepThrough(island, (button) => button.click());
  const final = rounds.at(-1)!;
  expect(await ready(island)).toBe('webgpu');
  expect(final.seen.every((s) => s === final.tokens)).toBe(true);
  expect(Math.max(...final.gaps)).toBeLessThan(1e-5);
  expect(final.ringGap).toBeLessThan(1e-5);
  // Before the last round, some device has not yet met every key, and its running output is not yet the answer.
  expect(Math.max(...rounds[0]!.gaps)).toBeGreaterThan(1e-3);
  await expect(island.locator('[data-ring-gap] strong')).toHaveText(/^(0|\d(\.\d)? × 10⁻[⁰¹²³⁴⁵⁶⁷⁸⁹]+)$/);
  await expect(island.locator('[data-round-text]')).toContainText('every device has seen every key');

  await island.getByRole('button', { name: 'Reset' }).click();
  await expect(island).toHaveAttribute('data-round', '0');
  expect((await read(island)).held).toEqual(rounds[0]!.held);
});

test('the rounds step from the keyboard too', async ({ page }) => {
  const island = await open(page);
  let presses = 0;
  const rounds = await stepThrough(island, async (button) => {
    await button.focus();
    await page.keyboard.press(presses++ % 2 === 0 ? 'Enter' : 'Space');
  });
  expect(rounds).toHaveLength(4);
  await island.getByRole('button', { name: 'Reset' }).focus();
  await page.keyboard.press('Enter');
  await expect(island).toHaveAttribute('data-round', '0');
});

test('another ring: 8 devices, 48 tokens, d = 8; the memory figures equal the pure function’s', async ({ page }) => {
  const island = await open(page);
  const before = await read(island);
  expect(before.memory).toEqual(expectedMemory(24, 4, 4));
  await island.getByRole('textbox', { name: /Devices/ }).fill('8');
  await island.getByRole('textbox', { name: /Tokens/ }).fill('48');
  await island.getByRole('textbox', { name: /Width/ }).fill('8');
  await island.getByRole('textbox', { name: /Width/ }).press('Enter');
  await expect(island).toHaveAttribute('data-devices', '8');
  const shown = await read(island);
  expect(shown.held).toHaveLength(8);
  expect(shown.firstRows[0]).toHaveLength(8);
  expect(shown.memory).toEqual(expectedMemory(48, 8, 8));
  expect(shown.ringGap).toBeLessThan(1e-5);
  const long = ringMemory(1 << 20, 128, 8, 2);
  await expect(island.locator('[data-long-device]')).toHaveAttribute('data-long-device', String(long.device.total));
  await expect(island.locator('[data-long-single]')).toHaveAttribute('data-long-single', String(long.single.total));
  const rounds = await stepThrough(island, (button) => button.click());
  expect(Math.max(...rounds.at(-1)!.gaps)).toBeLessThan(1e-5);
});

test('bad settings are refused with a message, and the last good figure stays', async ({ page }) => {
  const island = await open(page);
  await island.getByRole('button', { name: 'Step' }).click();
  await expect(island).toHaveAttribute('data-round', '1');
  await ready(island);
  const good = await read(island);
  const alert = island.locator('[role="alert"]');
  const devices = island.getByRole('textbox', { name: /Devices/ });
  const tokens = island.getByRole('textbox', { name: /Tokens/ });
  for (const [p, n, said] of [
    ['5', '24', /do not divide 24 tokens/],
    ['four', '24', /whole number/],
    ['8', '4', /at least 8 tokens/],
    ['9', '36', /from 2 to 8/],
    ['4', '1e3', /whole number/],
  ] as const) {
    await devices.fill(p);
    await tokens.fill(n);
    await island.getByRole('button', { name: 'Apply' }).click();
    await expect(alert).toContainText(said);
    expect(await read(island)).toEqual(good);
  }
  await devices.fill('2');
  await tokens.fill('24');
  await island.getByRole('button', { name: 'Apply' }).click();
  await expect(island).toHaveAttribute('data-devices', '2');
  await expect(alert).toBeEmpty();
  await expect(island).toHaveAttribute('data-round', '0');
});

async function allRounds(browser: Browser, search: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const island = await open(page, search);
  const rounds = await stepThrough(island, (button) => button.click());
  const backend = await ready(island);
  await context.close();
  return { backend, rounds };
}

test('WebGPU and the CPU (?compute=cpu) show the same numbers within 1e-5', async ({ browser }) => {
  const gpu = await allRounds(browser, '');
  const cpu = await allRounds(browser, '?compute=cpu');
  expect(gpu.backend).toBe('webgpu');
  expect(cpu.backend).toBe('cpu');
  gpu.rounds.forEach((g, s) => {
    const c = cpu.rounds[s]!;
    expect(g.held).toEqual(c.held);
    expect(largestDifference(g.firstRows.flat(), c.firstRows.flat()), `round ${s + 1}`).toBeLessThan(1e-5);
    expect(largestDifference(g.gaps, c.gaps), `round ${s + 1}`).toBeLessThan(1e-5);
  });
  expect(gpu.rounds.at(-1)!.ringGap).toBeLessThan(1e-5);
  expect(cpu.rounds.at(-1)!.ringGap).toBeLessThan(1e-5);
});

test('with reduced motion the blocks jump instead of sliding', async ({ browser }) => {
  for (const [reducedMotion, moves] of [
    ['reduce', false],
    ['no-preference', true],
  ] as const) {
    const context = await browser.newContext({ reducedMotion });
    const page = await context.newPage();
    const island = await open(page);
    const duration = await island.locator('.chip').first().evaluate((el) => getComputedStyle(el).transitionDuration);
    expect(duration !== '0s', reducedMotion).toBe(moves);
    await context.close();
  }
});

test('at 360 px nothing overflows', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const island = await open(page);
  await island.getByRole('button', { name: 'Step' }).click();
  await ready(island);
  await expectNoOverflow(page, island);
});

for (const theme of ['light', 'dark'] as const) {
  test(`axe finds no WCAG violation once hydrated, with a message showing, ${theme} theme`, async ({ page }) => {
    await page.addInitScript((t) => localStorage.setItem('theme', t), theme);
    const island = await open(page);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await island.getByRole('button', { name: 'Step' }).click();
    await ready(island);
    await island.getByRole('textbox', { name: /Devices/ }).fill('x');
    await island.getByRole('button', { name: 'Apply' }).click();
    await expect(island.getByRole('alert')).not.toBeEmpty();
    await expectAccessible(page, ISLAND);
  });
}

test.describe('link', () => {
  const shown = lessRenders(read);

  test('a ring of your own, a new draw and a round open again from the link with the same numbers', async ({ page, browser }) => {
    const island = await open(page);
    await island.getByRole('textbox', { name: /Devices/ }).fill('6');
    await island.getByRole('textbox', { name: /Tokens/ }).fill('36');
    await island.getByRole('textbox', { name: /Width/ }).fill('3');
    await island.getByRole('textbox', { name: /Width/ }).press('Enter');
    await expect(island).toHaveAttribute('data-devices', '6');
    await island.getByRole('button', { name: 'New draw' }).click();
    await expect(island).toHaveAttribute('data-seed', '6');
    await island.getByRole('button', { name: 'Step' }).click();
    await island.getByRole('button', { name: 'Step' }).click();
    await expect(island).toHaveAttribute('data-share', 'devices=6&tokens=36&width=3&seed=6&round=3');
    const share = (await island.getAttribute('data-share'))!;
    const before = await shown(island);
    expect(await reopen(browser, chapterLink(CHAPTER, 'ring-attention', share), ISLAND, share, shown)).toEqual(before);
  });

  test('hostile or impossible values are refused with a notice and the built ring is kept', async ({ page }) => {
    await expectRefusedAt(page, CHAPTER, 'ring-attention', ISLAND, { devices: '5', tokens: '<script>alert(1)</script>', width: '1e309', seed: 'NaN', round: '<img src=x onerror=alert(1)>' });
  });
});
