import { expect, type Browser, type Locator, type Page } from '@playwright/test';
import { prefixed } from '../src/lib/share';
import { openIsland, ready } from './site';

/**
 * Helpers for the "link" checks of each demo: a view read from `data-share`
 * opens again from a chapter link, and hostile values in a link are refused
 * with a notice, leaving the island as it was built.
 */

/** A chapter link to one demo with `query` (bare `name=value&…`) as its settings: `<chapter>?<demo>.<name>=…#demo-<demo>`. */
export const chapterLink = (chapter: string, demo: string, query: string): string => `${chapter}?${prefixed(demo, query)}#demo-${demo}`;

/**
 * Opens `link` in a fresh page (its own context), waits for the island to
 * hydrate and compute (`computed`: by default, until it names its backend)
 * and for `data-share` to read `share`, then hands the island to `read`
 * (whatever numbers it shows) and returns what it read.
 */
export async function reopen<T>(browser: Browser, link: string, selector: string, share: string, read: (island: Locator) => Promise<T>, computed: (island: Locator) => Promise<unknown> = ready): Promise<T> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const island = await openIsland(page, link, selector);
    await computed(island);
    await expect(island).toHaveAttribute('data-share', share);
    await expect(island.locator('[data-share-notice]')).toHaveCount(0);
    return await read(island);
  } finally {
    await context.close();
  }
}

/** `read` less the render count it reports, which differs between a view reached by hand and the same view opened from its link. */
export function lessRenders<T extends { renders: number }>(read: (island: Locator) => Promise<T>): (island: Locator) => Promise<Omit<T, 'renders'>> {
  return async (island) => {
    const { renders: _, ...rest } = await read(island);
    return rest;
  };
}

/** The `data-share` the server rendered for the island at `selector` on `path`: its default state. */
export async function builtShare(page: Page, path: string, selector: string): Promise<string> {
  return page.evaluate(
    async ([url, sel]) => {
      const html = await (await fetch(url!)).text();
      return new DOMParser().parseFromString(html, 'text/html').querySelector(sel!)?.getAttribute('data-share') ?? '';
    },
    [path, selector],
  );
}

/**
 * Opens the chapter with `hostile` settings for the demo and checks that
 * the notice names every one of them, that the island stays in its default
 * (built) state once computed, that no dialog was raised and that nothing in the island
 * was made from the values (no script, img or iframe, no attribute holding them).
 */
export async function expectRefused(
  page: Page,
  chapter: string,
  demo: string,
  selector: string,
  hostile: Record<string, string>,
  computed: (island: Locator) => Promise<unknown> = ready,
): Promise<Locator> {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const island = await openIsland(page, chapterLink(chapter, demo, new URLSearchParams(hostile).toString()), selector);
  await computed(island);
  const notice = island.locator('[data-share-notice]');
  await expect(notice).toBeVisible();
  for (const name of Object.keys(hostile)) await expect(notice).toContainText(`${name} (`);
  await expect(island).toHaveAttribute('data-share', await builtShare(page, chapter, selector));
  await expect(island.locator('script, iframe, img')).toHaveCount(0);
  const made = await island.evaluate((root) =>
    [root, ...root.querySelectorAll('*')].some((el) => [...el.attributes].some((a) => a.name.startsWith('on') || (a.name !== 'data-share' && /alert\(/.test(a.value)))),
  );
  expect(made).toBe(false);
  expect(dialogs).toEqual([]);
  return island;
}

/** For islands that only do arithmetic on sizes: nothing to wait for once hydrated. */
export const arithmetic = async (): Promise<void> => {};
