/**
 * Links to a demo's view, for each demo's "link" checks: open a chapter with
 * a demo's settings in the link (`?<demo>.<field>=…#demo-<demo>`), check a
 * view read from `data-share` reopens the same, and check hostile settings
 * are refused with a notice, leaving the island as it was built.
 */
import { expect, type Browser, type Locator, type Page } from '@playwright/test';
import { figureAnchor, prefixed } from '../src/lib/share';
import { MODEL_READY, openIsland, ready } from './site';


/** A chapter link to one demo with `query` (bare `name=value&…`) as its settings: `<chapter>?<demo>.<name>=…#demo-<demo>`. */
export const chapterLink = (chapter: string, demo: string, query: string): string => `${chapter}?${prefixed(demo, query)}#${figureAnchor({ id: demo })}`;

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
export async function expectRefusedAt(
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
  expect(await page.locator('script').evaluateAll((scripts) => scripts.filter((s) => s.textContent?.includes('alert(')).length)).toBe(0);
  expect(dialogs).toEqual([]);
  return island;
}

/** For islands that only do arithmetic on sizes: nothing to wait for once hydrated. */
export const arithmetic = async (): Promise<void> => {};

/** What a demo's tests need to open it from a link. */
export interface LinkedDemo {
  /** The chapter's path, e.g. "/chapters/query-key-value/". */
  chapter: string;
  /** The demo's id, e.g. "qkv-pipeline". */
  demo: string;
  /** The island's root selector. */
  selector: string;
}

/** Values that no field of any demo takes. */
export const HOSTILE = { markup: '<script>alert(1)</script>', huge: '1e309', nan: 'NaN' };

/** Opens the chapter with `query` (a demo's bare settings, `a=1&b=2`) as the demo's link, and waits until the island has hydrated. */
export function openLink(page: Page, { chapter, demo, selector }: LinkedDemo, query: string): Promise<Locator> {
  return openIsland(page, chapterLink(chapter, demo, query), selector);
}

/**
 * The view `island` shows now, opened from its `data-share` as a link in a
 * new page, shows the same state and the same numbers (`numbers` reads them).
 */
export async function expectLinkReopens(page: Page, island: Locator, demo: LinkedDemo, numbers: (island: Locator) => Promise<unknown>): Promise<void> {
  const share = (await island.getAttribute('data-share'))!;
  const shown = await numbers(island);
  const other = await page.context().newPage();
  const reopened = await openLink(other, demo, share);
  await expect(reopened).toHaveAttribute('data-share', share, MODEL_READY);
  await expect.poll(() => numbers(reopened), MODEL_READY).toEqual(shown);
  await expect(reopened.locator('[data-share-notice]')).toHaveCount(0);
  await other.close();
}

/** expectRefusedAt for a LinkedDemo; `settle` waits for anything the island computes first. */
export function expectRefused(page: Page, { chapter, demo, selector }: LinkedDemo, params: Record<string, string>, settle: (island: Locator) => Promise<unknown> = arithmetic): Promise<Locator> {
  return expectRefusedAt(page, chapter, demo, selector, params, settle);
}
