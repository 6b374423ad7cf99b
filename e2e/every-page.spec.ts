import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { layOutEverything, sitePages } from './site';

/**
 * The checks every page of the sitemap must pass. They run against the built
 * site served by `astro preview`, in Chromium.
 */

const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];


async function loadWatched(page: Page, path: string) {
  const problems: string[] = [];
  const origin = new URL(test.info().project.use.baseURL!).origin;
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.origin !== origin) {
      problems.push(`request to another origin: ${request.url()}`);
    }
  });
  page.on('requestfailed', (request) => problems.push(`failed request: ${request.url()} (${request.failure()?.errorText})`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  await page.goto(path, { waitUntil: 'networkidle' });
  return problems;
}

for (const path of sitePages()) {
  test.describe(`page ${path}`, () => {
    test('loads with no console error, failed request or other-origin request', async ({ page }) => {
      const problems = await loadWatched(page, path);
      // Scroll through the page so lazily loaded resources are requested too.
      await page.evaluate(async () => {
        for (let y = 0; y < document.body.scrollHeight; y += window.innerHeight) {
          window.scrollTo(0, y);
          await new Promise((resolve) => requestAnimationFrame(resolve));
        }
      });
      await page.waitForLoadState('networkidle');
      expect(problems).toEqual([]);
    });

    test('maths is typeset by KaTeX at build time, and no KaTeX script ships', async ({ page }) => {
      await page.goto(path);
      await expect(page.locator('.katex-error')).toHaveCount(0);
      const scripts = await page.locator('script[src]').evaluateAll((els) => els.map((el) => (el as HTMLScriptElement).src));
      expect(scripts.filter((src) => /katex/i.test(src))).toEqual([]);
      // No maths source left untypeset in the visible text.
      const text = await page.locator('main').evaluate((main) => {
        const clone = main.cloneNode(true) as HTMLElement;
        clone.querySelectorAll('.katex').forEach((el) => el.remove());
        return clone.textContent ?? '';
      });
      expect(text).not.toMatch(/\$\$|\\(frac|sqrt|operatorname|top|mathrm|text)\b/);
      if (path.startsWith('/chapters/')) {
        expect(await page.locator('.katex-display').count()).toBeGreaterThan(0);
        const inline = await page.locator('.katex').evaluateAll((els) => els.filter((el) => !el.closest('.katex-display')).length);
        expect(inline).toBeGreaterThan(0);
        // KaTeX's HTML is drawn with its fonts; MathML carries the same maths for screen readers.
        expect(await page.locator('.katex .katex-mathml math').count()).toBe(await page.locator('.katex').count());
      }
    });

    test('every internal link and #fragment resolves', async ({ page, request }) => {
      await page.goto(path);
      const here = new URL(page.url());
      const hrefs = await page.locator('a[href]').evaluateAll((els) => els.map((el) => el.getAttribute('href')!));
      expect(hrefs.length).toBeGreaterThan(0);
      const idsByPath = new Map<string, Set<string>>();
      const broken: string[] = [];
      for (const href of new Set(hrefs)) {
        const url = new URL(href, here);
        if (url.origin !== here.origin) continue;
        let ids = idsByPath.get(url.pathname);
        if (!ids) {
          const response = await request.get(url.pathname);
          if (response.status() !== 200) {
            broken.push(`${href}: HTTP ${response.status()}`);
            continue;
          }
          const html = await response.text();
          ids = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!));
          idsByPath.set(url.pathname, ids);
        }
        const fragment = decodeURIComponent(url.hash.slice(1));
        if (fragment && !ids.has(fragment)) broken.push(`${href}: no element with id "${fragment}"`);
      }
      expect(broken).toEqual([]);
    });

    for (const theme of ['light', 'dark'] as const) {
      test(`axe finds no WCAG 2.2 AA violation in the ${theme} theme`, async ({ page }) => {
        await page.addInitScript((t) => localStorage.setItem('theme', t), theme);
        await page.goto(path, { waitUntil: 'networkidle' });
        await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
        await layOutEverything(page);
        // Open every disclosure so what it hides is checked too.
        await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
        const results = await new AxeBuilder({ page }).withTags(WCAG_22_AA).analyze();
        const summary = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n  ')}`);
        expect(summary).toEqual([]);
      });
    }

    test('nothing overflows horizontally at 360 px', async ({ page }) => {
      await page.setViewportSize({ width: 360, height: 740 });
      await page.goto(path, { waitUntil: 'networkidle' });
      await layOutEverything(page);
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
      const widths = await page.evaluate(() => ({
        document: document.documentElement.scrollWidth,
        viewport: document.documentElement.clientWidth,
        // Elements reaching past the right edge, unless an ancestor clips or
        // scrolls them (a formula or table that scrolls in its own box).
        offenders: [...document.querySelectorAll('body *')]
          .filter((el) => {
            const box = el.getBoundingClientRect();
            if (box.width === 0 || box.right <= document.documentElement.clientWidth + 0.5) return false;
            for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
              if (getComputedStyle(a).overflowX !== 'visible') return false;
            }
            return true;
          })
          .slice(0, 5)
          .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}: ${(el.textContent ?? '').slice(0, 40)}`),
      }));
      expect(widths.offenders).toEqual([]);
      expect(widths.document).toBeLessThanOrEqual(widths.viewport);
    });
  });
}
