import { expect, test, type Browser, type Page } from '@playwright/test';
import { chapterPages, ISLAND_ROOT as ROOT, layOutEverythingIn, passEveryIsland, TOP_ISLANDS as TOP } from './site';

/**
 * A figure that changes height as its script takes over moves everything
 * below it while the reader is there (and sends an in-page jump short). Each
 * chapter's islands are measured twice with JavaScript on: with the islands'
 * own scripts held back, which is what a reader sees until they arrive, and
 * once every island has hydrated and computed.
 */

/** The most an island may grow or shrink as it hydrates, in CSS pixels: less than three lines of text. */
const MOST = 64;

/** Each top-level island's height: that of its root. */
function islandHeights(page: Page): Promise<Array<{ name: string; height: number; hydrated: boolean }>> {
  return page.evaluate(
    ([top, rootOf]) =>
      [...document.querySelectorAll(top)].map((island) => ({
        name: /\/([^/.]+)\.[^/]*$/.exec(island.getAttribute('component-url') ?? '')?.[1] ?? 'island',
        height: island.querySelector(rootOf)?.getBoundingClientRect().height ?? -1,
        hydrated: !island.hasAttribute('ssr'),
      })),
    [TOP, ROOT] as const,
  );
}

/** The widths measured: a laptop's and a small phone's. */
const WIDTHS = [1280, 360];

async function open(browser: Browser, path: string, width: number, held: boolean): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 720 } });
  await layOutEverythingIn(context);
  const page = await context.newPage();
  if (held) {
    // The islands' own components, read from the page: everything else (the page's scripts) still runs.
    const html = await (await context.request.get(path)).text();
    const components = new Set([...html.matchAll(/component-url="([^"]+)"/g)].map((m) => m[1]));
    await page.route('**/_astro/*.js', (route) => (components.has(new URL(route.request().url()).pathname) ? route.abort() : route.continue()));
  }
  await page.goto(path);
  return page;
}

for (const path of chapterPages()) for (const width of WIDTHS) {
  test(`${path} at ${width} px: no island grows or shrinks by more than ${MOST} px as it hydrates`, async ({ browser }) => {
    test.setTimeout(120_000);
    const heldPage = await open(browser, path, width, true);
    // Each island scrolled to, as a reader would, so that parts the browser lays out only near the screen have their size.
    await passEveryIsland(heldPage);
    // And with the fonts its text asked for: a font arriving late reflows a figure whatever its script does.
    await heldPage.evaluate(() => document.fonts.ready);
    const before = await islandHeights(heldPage);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((island) => !island.hydrated && island.height > 0)).toBe(true);
    await heldPage.context().close();

    const page = await open(browser, path, width, false);
    const islands = page.locator(TOP);
    for (let i = 0; i < before.length; i++) {
      // client:visible: each island hydrates once it is scrolled to, and computes while it is on screen.
      const island = islands.nth(i);
      await island.evaluate((el, rootOf) => el.querySelector(rootOf)?.scrollIntoView(), ROOT);
      await expect(island).not.toHaveAttribute('ssr');
      // Settled: nothing of it still loading, and its height the same over a further 300 ms. Some figures compute
      // as soon as they hydrate; others stay with the build's numbers until the reader interacts.
      const settled = () =>
        island.evaluate(
          (el, rootOf) => ({
            loading: [...el.querySelectorAll('[data-compute-target]')].some((s) => s.getAttribute('data-compute-target') === 'loading'),
            height: el.querySelector(rootOf)?.getBoundingClientRect().height,
          }),
          ROOT,
        );
      await expect
        .poll(async () => {
          const first = await settled();
          await page.waitForTimeout(300);
          const second = await settled();
          return !first.loading && !second.loading && first.height === second.height;
        }, { timeout: 60_000 })
        .toBe(true);
    }
    await page.evaluate(() => document.fonts.ready);
    const after = await islandHeights(page);
    await page.context().close();

    expect(after.map((island) => island.name)).toEqual(before.map((island) => island.name));
    const changes = before.map((island, i) => ({ name: island.name, change: Math.round(after[i]!.height - island.height) }));
    // Printed, so that a run records each island's change and not only whether it passed.
    console.log(path, width, JSON.stringify(changes));
    expect(changes.filter((island) => Math.abs(island.change) > MOST)).toEqual([]);
  });
}
