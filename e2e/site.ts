import type { Demo } from '../src/lib/demos';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, type BrowserContext, type Locator, type Page } from '@playwright/test';

const ROOT = join(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
const CHAPTERS = join(ROOT, 'content', 'chapters');

/**
 * Every page of the built site: the sitemap's URLs as paths, plus the 404
 * page, which sitemaps leave out. Read from dist/ so a page missing from the
 * sitemap is itself a failure of the "every page" checks' premise.
 */
export function sitePages(): string[] {
  const index = readFileSync(join(DIST, 'sitemap-index.xml'), 'utf8');
  const sitemaps = [...index.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]!).pathname);
  const paths = sitemaps.flatMap((sitemap) => {
    const xml = readFileSync(join(DIST, sitemap), 'utf8');
    return [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]!).pathname);
  });
  if (paths.length === 0) throw new Error('The sitemap lists no pages: was the site built?');
  return [...paths, '/404.html'];
}

/**
 * The chapter pages in reading order, from the sources' `order` fields. Fails
 * if the sitemap does not list exactly these pages.
 */
export function chapterPages(): string[] {
  const chapters = readdirSync(CHAPTERS)
    .filter((name) => name.endsWith('.mdx'))
    .map((name) => {
      const order = /^order:\s*(\d+)\s*$/m.exec(readFileSync(join(CHAPTERS, name), 'utf8'))?.[1];
      if (!order) throw new Error(`${name} has no order in its frontmatter`);
      return { order: Number(order), path: `/chapters/${name.replace(/^\d+-/, '').replace(/\.mdx$/, '')}/` };
    })
    .sort((a, b) => a.order - b.order)
    .map((chapter) => chapter.path);
  const listed = sitePages().filter((path) => path.startsWith('/chapters/'));
  if ([...listed].sort().join() !== [...chapters].sort().join()) {
    throw new Error(`The sitemap lists ${listed.join(', ')} but the chapters are ${chapters.join(', ')}`);
  }
  return chapters;
}

/**
 * Chapters let the browser skip laying out sections far off screen
 * (content-visibility: auto), and what is not laid out has no size, colour or
 * innerText. Checks of layout, contrast and text turn that off first.
 */
const LAY_OUT_EVERYTHING = '.chapter-section { content-visibility: visible !important; }';

export async function layOutEverything(page: Page): Promise<void> {
  await page.addStyleTag({ content: LAY_OUT_EVERYTHING });
}

/** The islands not inside another island. */
export const TOP_ISLANDS = 'astro-island:not(astro-island astro-island)';
/** An island's drawn root, from inside the island: the island itself is display: contents and has no box. */
export const ISLAND_ROOT = ':scope > :not(template, style, script)';

/**
 * Scrolls to each top-level island in turn, two frames each, as a reader
 * passing it would: client:visible islands start to hydrate, and parts the
 * browser lays out only near the screen get their size.
 */
export async function passEveryIsland(page: Page): Promise<void> {
  const islands = page.locator(TOP_ISLANDS);
  const count = await islands.count();
  for (let i = 0; i < count; i++) {
    await islands.nth(i).evaluate(async (island, rootOf) => {
      island.querySelector(rootOf)?.scrollIntoView();
      await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    }, ISLAND_ROOT);
  }
}

/**
 * The same for every page a context loads, written into the HTML as it is
 * served, so it also works where page scripts (and so addStyleTag) are off.
 */
export async function layOutEverythingIn(context: BrowserContext, extraCss = ''): Promise<void> {
  await context.route(
    (url) => url.pathname.endsWith('/'),
    async (route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace('</head>', `<style>${LAY_OUT_EVERYTHING}${extraCss}</style></head>`);
      await route.fulfill({ response, body: html });
    },
  );
}

/**
 * Opens a page with a demo, lays its sections out, scrolls the island into
 * view (islands hydrate when they near the viewport) and waits until it has
 * hydrated. `search` is the query string, e.g. "?compute=cpu".
 */
export async function openIsland(page: Page, path: string, selector: string, search = ''): Promise<Locator> {
  await page.goto(`${path}${search}`);
  await layOutEverything(page);
  const island = page.locator(selector);
  await island.scrollIntoViewIfNeeded();
  await expect(island).toHaveAttribute('data-hydrated', '');
  return island;
}

/**
 * A model file that loads slowly, then not at all: every request matching
 * the glob `url` (a model's .bin file) waits until the returned function is
 * called, then fails. For checking what an island says while its model
 * loads, and when it cannot.
 */
export async function holdThenFail(page: Page, url: string): Promise<() => void> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(url, async (route) => {
    await held;
    await route.abort();
  });
  return release;
}

/** The WCAG 2 A and AA violations axe finds inside `selector`, a line each with up to five of its elements: [] when there are none. */
export async function axeViolations(page: Page, selector: string, tags = ['wcag2a', 'wcag2aa']): Promise<string[]> {
  const results = await new AxeBuilder({ page }).include(selector).withTags(tags).analyze();
  return results.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n  ')}`);
}

/** axe finds no WCAG 2.2 A or AA violation inside `selector` (the tags every-page.spec checks whole pages with). */
export async function expectAccessible(page: Page, selector: string): Promise<void> {
  expect(await axeViolations(page, selector, ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])).toEqual([]);
}

/** How long a trained model may take to load and run in the browser (a software WebGPU adapter is slow). */
export const MODEL_READY = { timeout: 60_000 };

/** Waits until the island has computed in the browser; the backend it names (webgpu or cpu). */
export async function ready(island: Locator): Promise<string> {
  const status = island.locator('[data-compute-target]');
  await expect(status).toHaveAttribute('data-compute-target', /^(webgpu|cpu)$/, MODEL_READY);
  return (await status.getAttribute('data-compute-target'))!;
}

/** Fails if the page scrolls sideways or the island reaches past the viewport's right edge. */
export async function expectNoOverflow(page: Page, island: Locator): Promise<void> {
  const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(width.scroll).toBeLessThanOrEqual(width.client);
  const box = await island.boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(width.client);
}

/** The second origin's host page (scripts/host-server.mjs serving e2e/host/), on the port playwright.config.ts gives it. */
export const HOST_URL = `http://127.0.0.1:${Number(process.env['E2E_PORT'] ?? 4322) + 1000}`;

/** A demo as the build lists it in /embed/demos.json (src/pages/embed/demos.json.ts). */
export type BuiltDemo = Demo & { element: string; embed: string };

/** The demos, read from the build: the islands' modules are the site's (they import shaders), not Node's. */
export function builtDemos(): BuiltDemo[] {
  return JSON.parse(readFileSync(join(DIST, 'embed', 'demos.json'), 'utf8')) as BuiltDemo[];
}
