/**
 * Links to a demo's view: open a chapter with a demo's settings in the link
 * (`?<demo>.<field>=…#demo-<demo>`), check a copied view reopens the same,
 * and check hostile settings are refused with a notice.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import { prefixed } from '../src/lib/share';
import { layOutEverything, MODEL_READY } from './site';

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
export async function openLink(page: Page, { chapter, demo, selector }: LinkedDemo, query: string): Promise<Locator> {
  await page.goto(`${chapter}?${prefixed(demo, query)}#demo-${demo}`);
  await layOutEverything(page);
  const island = page.locator(selector);
  await island.scrollIntoViewIfNeeded();
  await expect(island).toHaveAttribute('data-hydrated', '');
  return island;
}

/** The demo's default state, as the built page writes it in `data-share`. */
async function defaultShare(page: Page, { chapter, demo }: LinkedDemo): Promise<string> {
  const html = await (await page.request.get(chapter)).text();
  const figure = html.indexOf(`id="demo-${demo}"`);
  expect(figure).toBeGreaterThan(-1);
  const share = /data-share="([^"]*)"/.exec(html.slice(figure))?.[1];
  expect(share).toBeDefined();
  return share!.replaceAll('&amp;', '&');
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

/**
 * Hostile `params` in the link: the island shows a notice naming them,
 * keeps its default state, raises no dialog and makes no element of them.
 * `settle` waits for anything the island computes first.
 */
export async function expectRefused(page: Page, demo: LinkedDemo, params: Record<string, string>, settle?: (island: Locator) => Promise<unknown>): Promise<Locator> {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const expected = await defaultShare(page, demo);
  const island = await openLink(page, demo, new URLSearchParams(params).toString());
  const notice = island.locator('[data-share-notice]');
  await expect(notice).toBeVisible();
  for (const name of Object.keys(params)) await expect(notice).toContainText(name);
  await settle?.(island);
  await expect(island).toHaveAttribute('data-share', expected);
  expect(dialogs).toEqual([]);
  await expect(island.locator('script, img, iframe, object, embed')).toHaveCount(0);
  expect(await page.locator('script').evaluateAll((scripts) => scripts.filter((s) => s.textContent?.includes('alert(1)')).length)).toBe(0);
  return island;
}
