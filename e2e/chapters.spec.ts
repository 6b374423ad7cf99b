import { expect, test } from '@playwright/test';
import { chapterPages, layOutEverythingIn } from './site';

const chapters = chapterPages();

test('the sitemap lists the five chapters', () => {
  expect(chapters).toHaveLength(5);
});

for (const path of chapters) {
  test(`${path}: the full chapter text is there with JavaScript disabled`, async ({ browser }) => {
    const withJs = await browser.newContext();
    const withoutJs = await browser.newContext({ javaScriptEnabled: false });
    const open = async (context: typeof withJs) => {
      // KaTeX writes each formula twice, drawn and as MathML; whether
      // Chromium's innerText includes the MathML copy varies with layout
      // timing, so the comparison reads the drawn copy only. The figures'
      // share and export controls exist only with JavaScript, so they are left out.
      await layOutEverythingIn(context, '.katex-mathml, [data-figure-tools] { display: none !important; }');
      const page = await context.newPage();
      await page.goto(path, { waitUntil: 'networkidle' });
      return page.locator('article');
    };
    const [on, offArticle] = await Promise.all([open(withJs), open(withoutJs)]);
    // Nothing in the chapter's text depends on JavaScript. Both pages are read
    // again until they agree: on a busy machine either may still be settling
    // when first read (the scripted page's text, and once in a fresh-clone run
    // the static page's, which came back cut off at a formula).
    let off = '';
    await expect(async () => {
      off = await offArticle.innerText();
      expect(await on.innerText()).toBe(off);
    }).toPass({ timeout: 15_000 });
    await withJs.close();
    await withoutJs.close();
    // …and the text is a whole chapter, down to its list of sources.
    expect(off.split(/\s+/).length).toBeGreaterThan(1200);
    expect(off).toContain('Sources');
    expect(off).toMatch(/Previous chapter|Next chapter/);
  });

  test(`${path}: has a table of contents whose entries are the chapter's sections`, async ({ page }) => {
    await page.goto(path);
    const toc = await page.locator('.toc-rail [data-toc] a').evaluateAll((els) => els.map((el) => el.getAttribute('href')));
    const headings = await page.locator('article h2[id], article h3[id]').evaluateAll((els) => els.map((el) => `#${el.id}`));
    expect(toc.length).toBeGreaterThan(3);
    expect(toc).toEqual(headings);
  });

  test(`${path}: every number's source is listed, and every citation points at one`, async ({ page }) => {
    await page.goto(path);
    const refs = await page.locator('a[data-footnote-ref]').evaluateAll((els) => els.map((el) => el.getAttribute('href')));
    const sources = await page.locator('.footnotes li[id]').evaluateAll((els) => els.map((el) => `#${el.id}`));
    expect(refs.length).toBeGreaterThan(2);
    expect(new Set(refs)).toEqual(new Set(sources));
  });
}

test('previous and next links walk every chapter in order, both ways', async ({ page }) => {
  /** Follows rel=next (or prev) links until there are none; returns the pages seen, in order. */
  const walk = async (rel: 'next' | 'prev') => {
    // The pager is at the end of the document: counting its links before the page has arrived finds none.
    await page.waitForLoadState('domcontentloaded');
    const seen = [new URL(page.url()).pathname];
    const eyebrows = [await page.locator('.eyebrow').innerText()];
    for (;;) {
      const link = page.locator(`a[rel="${rel}"]`);
      if ((await link.count()) === 0) return { seen, eyebrows };
      const href = (await link.getAttribute('href'))!;
      await link.click();
      await expect(page).toHaveURL(new RegExp(`${href}$`));
      // The URL changes when the new page starts arriving; its pager is at the end of the document.
      await page.waitForLoadState('domcontentloaded');
      seen.push(href);
      eyebrows.push(await page.locator('.eyebrow').innerText());
      expect(seen.length).toBeLessThanOrEqual(chapters.length);
    }
  };
  await page.goto('/');
  await page.getByRole('link', { name: /^Start reading/ }).click();
  await expect(page).toHaveURL(new RegExp(`${chapters[0]}$`));
  const forward = await walk('next');
  expect(forward.seen).toEqual(chapters);
  expect(forward.eyebrows.map((e) => e.toLowerCase())).toEqual(chapters.map((_, i) => `chapter ${i + 1} of ${chapters.length}`));
  const backward = await walk('prev');
  expect(backward.seen).toEqual([...chapters].reverse());
});
