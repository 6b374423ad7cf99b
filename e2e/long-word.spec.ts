import { expect, test, type Locator } from '@playwright/test';
import { expectNoOverflow, openIsland, ready } from './site';

/**
 * A word longer than the screen is wide, typed into each island that reads
 * text, at 360 px: the island answers (the word is unknown to the models or
 * the catalogue, or not a number of heads) and still fits the screen. Map labels are cut with
 * an ellipsis, the whole word kept as the label's tooltip; chips, tables and
 * messages wrap it.
 */

const WORD = 'x'.repeat(300);
const MULTI_HEAD = '/chapters/multi-head-attention/';
const SELF_CROSS = '/chapters/self-and-cross-attention/';

test.use({ viewport: { width: 360, height: 740 } });

const renders = async (island: Locator) => Number(await island.getAttribute('data-renders'));

/** Each map's labels: the long word cut to eleven characters with the ellipsis (and an unknown word's *), the whole word as its title. */
async function expectShortLabels(island: Locator) {
  const labels = island.locator('svg.map text', { hasText: 'xxxxxxxxxx' });
  expect(await labels.count()).toBeGreaterThan(0);
  for (const label of await labels.all()) {
    // The label's own text, less its title.
    const shown = await label.evaluate((el) => Array.from(el.childNodes, (node) => (node.nodeType === Node.TEXT_NODE ? node.textContent : '')).join(''));
    expect(shown).toMatch(/^(x{10}…|x{9}…\*)$/);
    await expect(label.locator('title')).toHaveText(new RegExp(`^${WORD}\\*?$`));
  }
}

// Each island: its name, page, root and text box; whether it draws labelled maps; whether it runs once by itself as it hydrates (the library waits for a query).
for (const [name, path, selector, field, maps, runsFirst] of [
  ['token explorer', '/chapters/what-attention-does/', '[data-token-explorer]', 'Your own sentence', false, true],
  ['library search', '/chapters/query-key-value/', '.library', 'Search the catalogue', false, false],
  ['head gallery', MULTI_HEAD, '[data-head-gallery]', 'Your own sentence', true, true],
  ['self vs cross', SELF_CROSS, '[data-self-cross]', 'An English sentence to translate', true, true],
  ['generation with the KV cache', SELF_CROSS, '[data-kv-generation]', 'Prompt', true, true],
] as const) {
  test(`${name}: a 300-letter word is read, and the island still fits 360 px`, async ({ page }) => {
    const island = await openIsland(page, path, selector);
    if (runsFirst) await ready(island);
    const before = await renders(island);
    await island.getByLabel(field).fill(`the cat ${WORD} sat .`);
    await island.getByLabel(field).press('Enter');
    await expect.poll(() => renders(island), { timeout: 60_000 }).toBeGreaterThan(before);
    if (maps) await expectShortLabels(island);
    await expectNoOverflow(page, island);
    for (const button of await island.getByRole('button').all()) {
      const box = await button.boundingBox();
      if (box) expect(box.x + box.width).toBeLessThanOrEqual(360);
    }
  });
}

test('the models page: a 300-letter word is marked unknown, and the page still fits 360 px', async ({ page }) => {
  await page.goto('/models/');
  await page.locator('#try-text').scrollIntoViewIfNeeded();
  await expect(page.locator('form[data-hydrated]')).toHaveCount(1);
  await page.getByLabel('A sentence in English').fill(`the cat ${WORD} sat .`);
  await expect(page.locator('[data-words] .unknown')).toHaveCount(1, { timeout: 60_000 });
  await expect(page.locator('[data-unknown-note]')).toBeVisible();
  const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(width.scroll).toBeLessThanOrEqual(width.client);
});

test('parameter count: a 300-letter answer gets a message that wraps, and the island still fits 360 px', async ({ page }) => {
  const island = await openIsland(page, MULTI_HEAD, '[data-param-count]');
  await island.getByLabel(/Heads/).fill(WORD);
  await expect(island.getByRole('alert')).not.toBeEmpty();
  await expectNoOverflow(page, island);
});
