import { expect, test, type Page } from '@playwright/test';
import { chapterPages, layOutEverything, MODEL_READY, passEveryIsland } from './site';

/** Opens or closes every disclosure `selector` finds, then waits two frames: their toggle events come in tasks of their own. */
async function setDisclosures(page: Page, selector: string, open: boolean): Promise<void> {
  await page.locator(selector).evaluateAll((all, open) => all.forEach((d) => ((d as HTMLDetailsElement).open = open)), open);
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

// A table wider than a phone scrolls sideways in its own box (.scroll-x); its
// caption says what the table is, so it stays in view, wrapped to the box's
// width, rather than running on with the table past the box's edge.
test('at 360 px every table caption in a sideways-scrolling box stays inside the box, in every chapter, with every demo hydrated and its tables open', async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 360, height: 800 });
  const outside: string[] = [];
  let checked = 0;
  for (const path of chapterPages()) {
    await page.goto(path);
    await layOutEverything(page);
    // Some demos sit in a disclosure; islands hydrate as they near the
    // viewport, so each is passed on the way down.
    await setDisclosures(page, 'details', true);
    await passEveryIsland(page);
    await expect(page.locator('astro-island[ssr]')).toHaveCount(0, { timeout: 30_000 });
    // No demo is still loading its model or computing its first figure.
    await expect(page.locator('[data-compute-target="loading"]')).toHaveCount(0, MODEL_READY);
    // The islands' own disclosures (a map's numbers, final outputs) build
    // their tables when they open: closed and opened again now that their
    // islands listen.
    await setDisclosures(page, 'astro-island details', false);
    await setDisclosures(page, 'astro-island details', true);
    const captions = page.locator('astro-island .scroll-x > table > caption');
    checked += await captions.count();
    const found = await captions.evaluateAll((all) =>
      all.map((caption) => {
        const [own, box] = [caption.getBoundingClientRect(), caption.closest('.scroll-x')!.getBoundingClientRect()];
        return own.left >= box.left - 0.5 && own.right <= box.right + 0.5 ? '' : `“${caption.textContent!.trim().slice(0, 40)}…”: ${Math.round(own.width)} px in a ${Math.round(box.width)} px box`;
      }),
    );
    outside.push(...found.filter(Boolean).map((what) => `${path} ${what}`));
  }
  expect(checked).toBeGreaterThan(20);
  expect(outside).toEqual([]);
});
