import { expect, test } from '@playwright/test';
import { chapterPages, openIsland } from './site';

test('searching for "softmax" finds the Query, key and value chapter', async ({ page }) => {
  await page.goto('/');
  await page.keyboard.press('/');
  await expect(page.locator('#header-search')).toBeFocused();
  await page.keyboard.type('softmax');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/search\/\?q=softmax$/);
  const result = page.locator('[data-search-results] a[href="/chapters/query-key-value/"]');
  await expect(result).toBeVisible();
  await expect(page.locator('[data-search-results] mark').first()).toHaveText(/softmax/i);
  await expect(page.locator('[data-search-status]')).toContainText('softmax');
});

test('search says so when nothing matches, and keeps the query in the URL', async ({ page }) => {
  await page.goto('/search/');
  await page.locator('#search-input').fill('zzqqxx');
  await expect(page.locator('[data-search-status]')).toHaveText('No chapter mentions “zzqqxx”.');
  await expect(page.locator('[data-search-results] li')).toHaveCount(0);
  expect(new URL(page.url()).searchParams.get('q')).toBe('zzqqxx');
});

test('the theme choice persists across pages and reloads', async ({ page }) => {
  const [first, second] = chapterPages();
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(first!);
  await expect(page.locator('html')).not.toHaveAttribute('data-theme');
  await page.getByLabel('Colour theme').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const dark = await background();

  await page.goto(second!);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByLabel('Colour theme')).toHaveValue('dark');
  expect(await background()).toBe(dark);

  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');

  await page.getByLabel('Colour theme').selectOption('system');
  await page.goto('/');
  await expect(page.locator('html')).not.toHaveAttribute('data-theme');
  expect(await background()).not.toBe(dark);
});

test('a stored theme is applied before the body is parsed, so there is no flash', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.addInitScript(() => {
    localStorage.setItem('theme', 'dark');
    const seen = new MutationObserver(() => {
      if (document.body) {
        (window as unknown as { themeAtBody: string | undefined }).themeAtBody = document.documentElement.dataset['theme'];
        seen.disconnect();
      }
    });
    seen.observe(document, { childList: true, subtree: true });
  });
  await page.goto(chapterPages()[0]!);
  expect(await page.evaluate(() => (window as unknown as { themeAtBody: string | undefined }).themeAtBody)).toBe('dark');
});

test('the system theme follows the reader\'s colour-scheme preference', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/');
  const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(dark).not.toBe(light);
});

test('the skip link is the first stop and moves focus to the content', async ({ page }) => {
  await page.goto(chapterPages()[1]!);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();
});

test('focus is visible on links', async ({ page }) => {
  await page.goto(chapterPages()[0]!);
  await page.keyboard.press('Tab');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
  expect(outline).toBe('solid');
});

test('an unknown address answers 404 with the guide\'s own page', async ({ page }) => {
  const response = await page.goto('/chapters/no-such-chapter/');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  await expect(page.locator('main .nav-list a')).toHaveCount(chapterPages().length);
});

test('the print stylesheet keeps the chapter and drops the chrome', async ({ page }) => {
  await page.goto(chapterPages()[2]!);
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.site-header')).toBeHidden();
  await expect(page.locator('.sidebar')).toBeHidden();
  await expect(page.locator('.pager')).toBeHidden();
  await expect(page.locator('article h1')).toBeVisible();
  await expect(page.locator('.footnotes')).toBeVisible();
});

test('at 360 px the chapter list and the table of contents fold into menus that work', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const [first, second] = chapterPages();
  await page.goto(first!);
  await expect(page.locator('.sidebar')).toBeHidden();
  await page.locator('.mobile-nav summary').click();
  await page.locator('.mobile-nav').getByRole('link', { name: /^2\./ }).click();
  await expect(page).toHaveURL(new RegExp(`${second}$`));
  await page.locator('.toc-mobile summary').click();
  const entry = page.locator('.toc-mobile [data-toc] a').nth(1);
  const target = (await entry.getAttribute('href'))!;
  await entry.click();
  await expect(page.locator(target)).toBeInViewport();
});

test('the table of contents marks the section being read', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(chapterPages()[4]!);
  const rail = page.locator('.toc-rail [data-toc] a');
  await expect(rail.first()).toBeVisible();
  await expect(page.locator('.toc-rail [aria-current]')).toHaveCount(0);
  const entry = rail.nth(3);
  await entry.click();
  await expect(entry).toHaveAttribute('aria-current', 'true');
  await expect(page.locator('.toc-rail [aria-current]')).toHaveCount(1);
  await page.evaluate(() => window.scrollTo(0, 0));
  await expect(page.locator('.toc-rail [aria-current]')).toHaveCount(0);
});

test('a jump from the table of contents is not undone when something else scrolls the page away mid-jump', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(chapterPages()[4]!);
  const entry = page.locator('.toc-rail [data-toc] a').nth(3);
  await expect(entry).toBeVisible();
  // Once the jump's smooth scroll has gone a screen down, a script sends the
  // page back to the top, as a drag of the scroll bar would (no input event
  // reports that). When that scroll ends, the page stays at the top: the jump
  // does not land on its heading again. Where it does, it is back at the
  // heading within a few frames, long before the second is out.
  await page.evaluate(() => {
    const w = window as unknown as { away: Promise<number> };
    w.away = new Promise((resolve) => {
      const away = () => {
        if (scrollY < innerHeight) return;
        removeEventListener('scroll', away);
        scrollTo(0, 0);
        addEventListener(
          'scrollend',
          () => {
            let furthest = scrollY;
            addEventListener('scroll', () => (furthest = Math.max(furthest, scrollY)));
            setTimeout(() => resolve(furthest), 1000);
          },
          { once: true },
        );
      };
      addEventListener('scroll', away);
    });
  });
  const heading = page.locator((await entry.getAttribute('href'))!);
  expect((await heading.boundingBox())!.y).toBeGreaterThan(3 * 900);
  await entry.click();
  expect(await page.evaluate(() => (window as unknown as { away: Promise<number> }).away)).toBe(0);
  await expect(page.locator('.toc-rail [aria-current]')).toHaveCount(0);
});

test('a link to a section far down a chapter lands on its heading, past tall figures drawn on the way and figures that grow as they hydrate', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  const chapter = chapterPages()[4]!;
  // Opened at the fragment: the sections before it are drawn at their real heights, so the heading is on screen.
  await page.goto(`${chapter}#a-corrected-timeline`);
  await expect(page.locator('#a-corrected-timeline')).toBeInViewport();
  // Followed from the table of contents, after going back to the top.
  await page.goto(chapter);
  const entry = page.locator('.toc-rail [data-toc] a[href="#online-softmax"]');
  await entry.click();
  await expect(page.locator('#online-softmax')).toBeInViewport();
  // The sparse patterns figure, passed on the way, adds its row table as it hydrates: the jump still ends with the
  // heading at the top, below the header (the page's scroll padding), not pushed down the screen.
  const offset = () =>
    page.evaluate(() => document.getElementById('online-softmax')!.getBoundingClientRect().top - parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop));
  await expect.poll(async () => Math.abs(await offset())).toBeLessThan(3);
});

test('every page has the meta a link preview and a search engine need', async ({ page }) => {
  for (const path of ['/', ...chapterPages()]) {
    await page.goto(path);
    await expect(page.locator('meta[name="description"]')).toHaveAttribute('content', /.{50,}/);
    await expect(page.locator('link[rel="canonical"]')).toHaveAttribute('href', new RegExp(`${path}$`));
    await expect(page.locator('meta[property="og:image"]')).toHaveAttribute('content', /^https?:\/\/.+\/social-card\.png$/);
    await expect(page.locator('meta[property="og:title"]')).toHaveAttribute('content', /.+/);
    await expect(page.locator('html')).toHaveAttribute('lang', 'en-GB');
  }
  const robots = await page.request.get('/robots.txt');
  expect(await robots.text()).toMatch(/Sitemap: https?:\/\/.+\/sitemap-index\.xml/);
  const social = await page.request.get('/social-card.png');
  expect(social.headers()['content-type']).toBe('image/png');
});

test.describe('the landing page status line', () => {
  test('names the WebGPU adapter when the browser offers one', async ({ page }) => {
    await page.goto('/');
    const status = page.locator('[data-compute-target]');
    await expect(status).not.toHaveAttribute('data-compute-target', 'unknown');
    const adapter = await page.evaluate(async () => {
      const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      return gpu ? (await gpu.requestAdapter()) !== null : false;
    });
    await expect(status).toHaveAttribute('data-compute-target', adapter ? 'webgpu' : 'cpu');
    await expect(status).toContainText(adapter ? 'WebGPU' : 'CPU');
  });

  test('says the CPU will be used, and why, without WebGPU; small work runs at once, larger work in a Web Worker', async ({ page }) => {
    await page.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined });
    });
    const workers: string[] = [];
    page.on('worker', (worker) => workers.push(worker.url()));
    await page.goto('/');
    const status = page.locator('[data-compute-target]');
    await expect(status).toHaveAttribute('data-compute-target', 'cpu');
    await expect(status).toContainText('this browser does not offer WebGPU');
    // The status line's check is one small attention (4 × 4 × 16 multiply-adds): computed without a worker.
    expect(workers).toEqual([]);
    // A draw of the √d_k demo at d_k = 1,024 is 128 × 16 × 1,025 multiply-adds, above the engine's inline limit (2^19): a worker computes it.
    const worker = page.waitForEvent('worker');
    const island = await openIsland(page, '/chapters/query-key-value/', '.sqrt-dk');
    await page.locator('#sqrtdk-width').press('End');
    await expect(island).toHaveAttribute('data-dk', '1024', { timeout: 60_000 });
    await expect(island.locator('[data-compute-target]')).toHaveAttribute('data-compute-target', 'cpu', { timeout: 60_000 });
    expect((await worker).url()).toMatch(/worker/);
  });
});
