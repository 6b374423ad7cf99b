import { expect, test, type Locator } from '@playwright/test';
import { expectNoOverflow, openIsland, ready } from './site';

/**
 * A word longer than the screen is wide, typed into each island that reads
 * text, at 360 px: the island answers (the word is unknown to the models, or
 * not a number of heads) and still fits the screen. Map labels are cut with
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

for (const [name, path, selector, field] of [
  ['head gallery', MULTI_HEAD, '[data-head-gallery]', 'Your own sentence'],
  ['self vs cross', SELF_CROSS, '[data-self-cross]', 'An English sentence to translate'],
  ['generation with the KV cache', SELF_CROSS, '[data-kv-generation]', 'Prompt'],
] as const) {
  test(`${name}: a 300-letter word is read as unknown, and the island still fits 360 px`, async ({ page }) => {
    const island = await openIsland(page, path, selector);
    await ready(island);
    const before = await renders(island);
    await island.getByLabel(field).fill(`the cat ${WORD} sat .`);
    await island.getByLabel(field).press('Enter');
    await expect.poll(() => renders(island), { timeout: 60_000 }).toBeGreaterThan(before);
    await expectShortLabels(island);
    await expectNoOverflow(page, island);
    for (const button of await island.getByRole('button').all()) {
      const box = await button.boundingBox();
      if (box) expect(box.x + box.width).toBeLessThanOrEqual(360);
    }
  });
}

test('parameter count: a 300-letter answer gets a message that wraps, and the island still fits 360 px', async ({ page }) => {
  const island = await openIsland(page, MULTI_HEAD, '[data-param-count]');
  await island.getByLabel(/Heads/).fill(WORD);
  await expect(island.getByRole('alert')).not.toBeEmpty();
  await expectNoOverflow(page, island);
});
