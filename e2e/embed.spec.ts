import { readFile } from 'node:fs/promises';
import { expect, test, type FrameLocator, type Locator, type Page } from '@playwright/test';
import { HOST_URL, builtDemos, expectAccessible, expectNoOverflow, openIsland, ready, type BuiltDemo } from './site';

/**
 * Sharing and embedding, shown on the √d_k demo (every other island's
 * spec checks its own link round trip): the figure's controls, a view
 * reopened from its link, the demo framed by a page on another origin
 * (computing on WebGPU and on the CPU, resizing to its content, leaving the
 * host's styles alone), hostile parameters, exports, oEmbed, every embed
 * page and the page that documents them.
 */

const DEMOS = builtDemos();
const figureAnchor = (demo: Pick<BuiltDemo, 'id'>) => `demo-${demo.id}`;

const CHAPTER = '/chapters/query-key-value/';
const DEFAULT_SHARE = 'source=random&dk=64&divisor=on&seed=1';

/** The √d_k demo's numbers: its row's scores and weights and its summary figures, at full precision. */
function numbers(island: Locator): Promise<number[]> {
  return island.evaluate((root) => [
    ...[...root.querySelectorAll('[data-row-table] td[data-value]')].map((td) => Number(td.getAttribute('data-value'))),
    ...['data-entropy', 'data-max-weight', 'data-jacobian', 'data-spread'].map((name) => Number(root.querySelector(`[${name}]`)!.getAttribute(name))),
  ]);
}

function expectClose(a: number[], b: number[]): void {
  expect(a.length).toBe(b.length);
  expect(a.length).toBeGreaterThan(4);
  a.forEach((x, i) => expect(Math.abs(x - b[i]!), `number ${i}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(x))));
}

/** Opens the chapter's √d_k demo, hydrated, and moves it away from its default: d_k 256, divisor off, a new draw. */
async function changedDemo(page: Page): Promise<Locator> {
  const island = await openIsland(page, CHAPTER, '.sqrt-dk');
  await island.getByRole('slider').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(island).toHaveAttribute('data-dk', '256');
  await island.getByRole('checkbox').uncheck();
  await island.getByRole('button', { name: 'New random draw' }).click();
  await expect(island).toHaveAttribute('data-share', 'source=random&dk=256&divisor=off&seed=2');
  return island;
}

test.describe('the figure’s controls', () => {
  test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

  test('copy a link that reopens the same view, with the same numbers', async ({ page, context }) => {
    const island = await changedDemo(page);
    await ready(island);
    const shown = await numbers(island);
    const tools = page.locator(`#${figureAnchor({ id: 'sqrt-dk' })} [data-figure-tools]`);
    await tools.getByRole('button', { name: 'Copy link' }).click();
    await expect(tools.locator('[data-tools-status]')).toHaveText('Link to this view copied.');
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(link).toBe(`${new URL(page.url()).origin}${CHAPTER}?sqrt-dk.source=random&sqrt-dk.dk=256&sqrt-dk.divisor=off&sqrt-dk.seed=2#demo-sqrt-dk`);

    const again = await context.newPage();
    const reopened = await openIsland(again, link, '.sqrt-dk');
    await expect(reopened).toHaveAttribute('data-share', 'source=random&dk=256&divisor=off&seed=2');
    await ready(reopened);
    expect(await numbers(reopened)).toEqual(shown);
    await expect(reopened.locator('[data-share-notice]')).toHaveCount(0);
    // The link lands on the figure.
    await expect(again.locator('#demo-sqrt-dk')).toBeInViewport();
  });

  test('copy embed code for the view on screen, keyboard only', async ({ page }) => {
    await changedDemo(page);
    const tools = page.locator('#demo-sqrt-dk [data-figure-tools]');
    await tools.getByRole('button', { name: 'Copy embed code' }).focus();
    await page.keyboard.press('Enter');
    await expect(tools.locator('[data-tools-status]')).toHaveText('Embed code copied.');
    const code = await page.evaluate(() => navigator.clipboard.readText());
    const origin = new URL(page.url()).origin;
    expect(code).toContain(`<iframe src="${origin}/embed/sqrt-dk/?source=random&amp;dk=256&amp;divisor=off&amp;seed=2"`);
    expect(code).toContain(`<script src="${origin}/embed/resize.js" async></script>`);
    expect(code).toMatch(/height="\d{3,4}"/);
  });

  test('are accessible and fit 360 px', async ({ page }) => {
    await page.setViewportSize({ width: 360, height: 800 });
    const island = await openIsland(page, CHAPTER, '.sqrt-dk');
    const figure = page.locator('#demo-sqrt-dk');
    await expect(figure.locator('[data-figure-tools] button')).toHaveCount(6);
    await expectNoOverflow(page, island);
    await expectNoOverflow(page, figure.locator('[data-figure-tools]'));
    await expectAccessible(page, '#demo-sqrt-dk [data-figure-tools]');
  });

  test('are on every demo’s figure, and not there without JavaScript', async ({ browser }) => {
    for (const javaScriptEnabled of [true, false]) {
      const context = await browser.newContext({ javaScriptEnabled });
      const page = await context.newPage();
      let figures = 0;
      for (const chapter of new Set(DEMOS.map((d) => d.chapter))) {
        await page.goto(`/chapters/${chapter}/`);
        const ids = DEMOS.filter((d) => d.chapter === chapter).map((d) => `#${figureAnchor(d)}`);
        for (const id of ids) {
          await expect(page.locator(id)).toHaveCount(1);
          await expect(page.locator(`${id} [data-figure-tools]`)).toHaveCount(javaScriptEnabled ? 1 : 0);
          figures += 1;
        }
      }
      expect(figures).toBe(DEMOS.length);
      await context.close();
    }
  });
});

test.describe('exports', () => {
  test('SVG parses with the figure’s size, PNG has it, CSV and JSON hold the numbers', async ({ page }) => {
    const island = await changedDemo(page);
    await ready(island);
    const tools = page.locator('#demo-sqrt-dk [data-figure-tools]');
    const save = async (name: string) => {
      const download = page.waitForEvent('download');
      await tools.getByRole('button', { name: `Export as ${name}` }).click();
      const file = await download;
      return { name: file.suggestedFilename(), bytes: await readFile((await file.path())!) };
    };

    // The drawings' union on screen: the exports hold at least that.
    const size = await island.evaluate((root) => {
      const boxes = [...root.querySelectorAll('svg')].filter((s) => !s.parentElement!.closest('svg')).map((s) => s.getBoundingClientRect()).filter((b) => b.width >= 16 && b.height >= 16);
      const left = Math.min(...boxes.map((b) => b.left));
      const top = Math.min(...boxes.map((b) => b.top));
      return { width: Math.ceil(Math.max(...boxes.map((b) => b.right)) - left), height: Math.ceil(Math.max(...boxes.map((b) => b.bottom)) - top), parts: boxes.length, demoWidth: root.getBoundingClientRect().width };
    });
    expect(size.parts).toBe(2);

    const svg = await save('SVG');
    expect(svg.name).toBe('attention-sqrt-dk.svg');
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      const root = doc.documentElement;
      return {
        error: doc.querySelector('parsererror') !== null,
        name: root.localName,
        width: Number(root.getAttribute('width')),
        height: Number(root.getAttribute('height')),
        parts: root.querySelectorAll(':scope > svg').length,
        texts: [...root.querySelectorAll(':scope > text')].map((t) => t.textContent),
        unsafe: doc.querySelectorAll('script, foreignObject').length,
      };
    }, svg.bytes.toString('utf8'));
    expect(parsed).toMatchObject({ error: false, name: 'svg', parts: size.parts, unsafe: 0 });
    expect(parsed.width).toBeGreaterThanOrEqual(size.width);
    expect(parsed.width).toBeLessThanOrEqual(Math.ceil(size.demoWidth));
    expect(parsed.height).toBeGreaterThanOrEqual(size.height);
    // The plots' titles and axis labels come along as text.
    expect(parsed.texts).toEqual(expect.arrayContaining(['key 1', 'key 16', '0']));
    expect(parsed.texts.some((t) => t!.startsWith('Its 16 weights, key by key'))).toBe(true);

    const png = await save('PNG');
    expect(png.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    const scale = await page.evaluate(() => Math.max(1, Math.round(devicePixelRatio)));
    expect({ width: png.bytes.readUInt32BE(16), height: png.bytes.readUInt32BE(20) }).toEqual({ width: parsed.width * scale, height: parsed.height * scale });

    const rows = await island.evaluate((root) => [...root.querySelectorAll('[data-row-table] td[data-value]')].map((td) => td.getAttribute('data-value')));
    const csv = (await save('CSV')).bytes.toString('utf8');
    for (const value of rows) expect(csv).toContain(value!);
    expect(csv.split('\r\n')[0]).not.toBe('');

    const json = JSON.parse((await save('JSON')).bytes.toString('utf8')) as { demo: string; settings: Record<string, string>; computedOn: string; tables: { rows: string[][] }[]; link: string };
    expect(json.demo).toBe('sqrt-dk');
    expect(json.settings).toEqual({ source: 'random', dk: '256', divisor: 'off', seed: '2' });
    expect(json.computedOn).toMatch(/^(webgpu|cpu)$/);
    expect(json.link).toContain('sqrt-dk.dk=256');
    expect(json.tables.flatMap((t) => t.rows.flat())).toEqual(expect.arrayContaining(rows as string[]));
  });
});

test.describe('a page on another origin', () => {
  const frameNumbers = async (frame: FrameLocator) => {
    const island = frame.locator('.sqrt-dk');
    await expect(island).toHaveAttribute('data-share', 'source=random&dk=128&divisor=off&seed=1');
    return { island, backend: await ready(island), numbers: await numbers(island) };
  };

  test('frames one demo and holds another as a custom element: both compute (WebGPU and CPU alike), react, fit, and leave the host’s styles alone', async ({ page }) => {
    await page.goto(`${HOST_URL}/frames.html`);
    const hostStyles = () =>
      page.evaluate(() => {
        const style = (selector: string) => {
          const s = getComputedStyle(document.querySelector(selector)!);
          return [s.color, s.backgroundColor, s.fontFamily, s.fontSize].join(' | ');
        };
        return { body: style('body'), h1: style('h1'), p: style('#before'), button: style('#host-button') };
      });
    const before = await hostStyles();
    expect(before.h1.startsWith('rgb(120, 20, 20)')).toBe(true);
    expect(before.body).toContain('Georgia');

    await page.locator('#frame-gpu').scrollIntoViewIfNeeded();
    const gpu = await frameNumbers(page.frameLocator('#frame-gpu'));
    expect(gpu.backend).toBe('webgpu');
    await page.locator('#frame-cpu').scrollIntoViewIfNeeded();
    const cpu = await frameNumbers(page.frameLocator('#frame-cpu'));
    expect(cpu.backend).toBe('cpu');
    expectClose(gpu.numbers, cpu.numbers);

    // Each frame takes its content's height (it was 200 px), and follows it when the content grows.
    const heights = async (id: string) => ({
      frame: await page.locator(id).evaluate((el) => Math.round(el.getBoundingClientRect().height)),
      content: await page.frameLocator(id).locator('body').evaluate((body) => Math.ceil(body.getBoundingClientRect().height)),
    });
    await expect.poll(async () => { const h = await heights('#frame-gpu'); return h.frame === h.content && h.frame > 300; }).toBe(true);
    const first = (await heights('#frame-gpu')).content;
    await gpu.island.getByRole('radio', { name: /trained model/ }).check();
    await expect(gpu.island).toHaveAttribute('data-source', 'model', { timeout: 60_000 });
    await expect.poll(async () => { const h = await heights('#frame-gpu'); return h.frame === h.content && h.content !== first; }).toBe(true);

    // It reacts to input in the frame.
    await gpu.island.getByRole('radio', { name: /random/ }).check();
    await gpu.island.getByRole('slider').focus();
    await page.keyboard.press('ArrowLeft');
    await expect(gpu.island).toHaveAttribute('data-dk', '64');

    // The attribution links back to the chapter, at the figure.
    const attribution = page.frameLocator('#frame-gpu').locator('[data-attribution]');
    await expect(attribution).toHaveAttribute('href', '/chapters/query-key-value/#demo-sqrt-dk');
    await expect(attribution).toHaveAttribute('target', '_blank');

    // The custom element on the same page: its attributes set the view, it computes, and it reacts.
    const element = page.locator('#element .causal-mask');
    await element.scrollIntoViewIfNeeded();
    await expect(element).toHaveAttribute('data-causal', 'off', { timeout: 60_000 });
    await expect(element).toHaveAttribute('data-head', '0.1');
    expect(await ready(element)).toBe('webgpu');
    await element.getByRole('checkbox', { name: /Causal mask/ }).click();
    await expect(element).toHaveAttribute('data-causal', 'on');
    await page.locator('#element').evaluate((el) => el.setAttribute('head', '2'));
    await expect(element).toHaveAttribute('data-head', '0.2', { timeout: 30_000 });
    expect(await hostStyles()).toEqual(before);
  });
});

test.describe('hostile parameters', () => {
  test('are ignored with a notice, never run or rendered, on the embed page and in a chapter link', async ({ page }) => {
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const hostile = {
      dk: '<script>alert(1)</script>',
      seed: '1e309',
      divisor: 'NaN',
      source: '<img src=x onerror=alert(2)>',
      '"><svg onload=alert(3)>': '1',
    };
    const bare = new URLSearchParams(hostile).toString();
    const prefixedQuery = new URLSearchParams(Object.entries(hostile).map(([k, v]) => [`sqrt-dk.${k}`, v])).toString();
    for (const url of [`/embed/sqrt-dk/?${bare}`, `${CHAPTER}?${prefixedQuery}`]) {
      const island = await openIsland(page, url, '.sqrt-dk');
      const notice = island.locator('[data-share-notice]');
      await expect(notice).toContainText('Some settings in the link were ignored');
      for (const name of ['dk', 'seed', 'divisor', 'source']) await expect(notice).toContainText(`${name} (`);
      await expect(island).toHaveAttribute('data-share', DEFAULT_SHARE);
      expect(await island.locator('img, script, svg[onload]').count()).toBe(0);
      await notice.getByRole('button', { name: 'Dismiss' }).click();
      await expect(notice).toHaveCount(0);
    }
    // The figure's links carry no trace of them either.
    expect(await page.locator('#demo-sqrt-dk').evaluate((el) => el.outerHTML.includes('onerror'))).toBe(false);
    expect(dialogs).toEqual([]);
  });
});

test.describe('embed pages', () => {
  test('every demo has one: alone, attributed to its chapter’s figure, with its oEmbed response', async ({ request }) => {
    for (const demo of DEMOS) {
      const response = await request.get(`/embed/${demo.id}/`);
      expect(response.status(), demo.id).toBe(200);
      const html = await response.text();
      expect(html, demo.id).toContain(`id="${figureAnchor(demo)}"`);
      expect(html, demo.id).toContain(`href="/chapters/${demo.chapter}/#${figureAnchor(demo)}"`);
      expect(html).not.toContain('class="site-header');
      const chapter = await (await request.get(`/chapters/${demo.chapter}/`)).text();
      expect(chapter, demo.id).toContain(`id="${figureAnchor(demo)}"`);
      // The chapter points to the demo's oEmbed response, and the response frames the embed page.
      const discovery = new RegExp(`<link rel="alternate" type="application/json\\+oembed" href="([^"]*/embed/${demo.id}/oembed\\.json)"`);
      const href = discovery.exec(chapter)?.[1];
      expect(href, demo.id).toBeTruthy();
      const oembed = (await (await request.get(new URL(href!).pathname)).json()) as Record<string, unknown>;
      expect(oembed).toMatchObject({ version: '1.0', type: 'rich', title: demo.title, height: demo.height });
      expect(String(oembed['html'])).toMatch(new RegExp(`^<iframe src="[^"]*/embed/${demo.id}/"`));
    }
  });

  test('a demo alone hydrates, takes bare parameters and a theme, and fits 360 px', async ({ page }) => {
    await page.setViewportSize({ width: 360, height: 800 });
    const island = await openIsland(page, '/embed/sqrt-dk/?dk=8&divisor=off&theme=dark', '.sqrt-dk');
    await expect(island).toHaveAttribute('data-share', 'source=random&dk=8&divisor=off&seed=1');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await expect(island.locator('[data-share-notice]')).toHaveCount(0);
    await expectNoOverflow(page, island);
    const open = page.locator('[data-figure-tools] a', { hasText: 'Open in the guide' });
    await open.hover();
    await expect(open).toHaveAttribute('href', /\/chapters\/query-key-value\/\?sqrt-dk\.source=random&sqrt-dk\.dk=8&sqrt-dk\.divisor=off&sqrt-dk\.seed=1#demo-sqrt-dk$/);
    await expectAccessible(page, 'main');
  });
});

test.describe('the embed documentation', () => {
  test('lists every demo with its settings and snippets for this origin, and its live frame fits its content', async ({ page }) => {
    await page.goto('/embed/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Embed these demos');
    await expect(page.locator('[data-demo-entry]')).toHaveCount(DEMOS.length);
    for (const demo of DEMOS) {
      const entry = page.locator(`[data-demo-entry="${demo.id}"]`);
      for (const name of Object.keys(demo.fields)) await expect(entry.locator('th code', { hasText: new RegExp(`^${name}$`) })).toHaveCount(1);
    }
    const origin = new URL(page.url()).origin;
    const snippet = page.locator('code[data-snippet]').first();
    await expect(snippet).toContainText(`<iframe src="${origin}/embed/`);
    const frame = page.locator('[data-live-frame]');
    await frame.scrollIntoViewIfNeeded();
    await expect(page.frameLocator('[data-live-frame]').locator('.sqrt-dk')).toHaveAttribute('data-share', 'source=random&dk=128&divisor=off&seed=1');
    await expect
      .poll(async () => {
        const content = await page.frameLocator('[data-live-frame]').locator('body').evaluate((b) => Math.ceil(b.getBoundingClientRect().height));
        const height = await frame.evaluate((el) => Math.round(el.getBoundingClientRect().height));
        return Math.abs(height - content - 2);
      })
      .toBeLessThanOrEqual(1);
  });
});

test.describe('every demo exports', () => {
  // The 3D view draws on a canvas; its exports are its numbers (and whatever 2D drawing it has).
  for (const demo of DEMOS) {
    test(`${demo.id}: its drawing as SVG, or says it has none, and its numbers as CSV`, async ({ page }) => {
      const island = await openIsland(page, `/embed/${demo.id}/`, `#${figureAnchor(demo)} [data-hydrated]`);
      // Demos that run a model show their tables once it has run in the browser.
      await expect
        .poll(() => island.evaluate((el) => el.querySelector('table') !== null || 'figureTables' in el), { timeout: 30_000 })
        .toBe(true)
        .catch(() => undefined);
      const tools = page.locator('[data-figure-tools]');
      const status = tools.locator('[data-tools-status]');
      for (const format of ['SVG', 'CSV'] as const) {
        const download = page.waitForEvent('download', { timeout: 10_000 }).catch(() => undefined);
        await tools.getByRole('button', { name: `Export as ${format}` }).click();
        await expect(status).toHaveText(/^(Saved|This figure has no)/);
        const text = (await status.textContent())!;
        if (text.startsWith('This figure has no')) {
          expect(format, `${demo.id} has neither a drawing nor a table`).toBe('SVG');
          continue;
        }
        const file = await download;
        const body = await readFile((await file!.path())!, 'utf8');
        if (format === 'SVG') {
          const ok = await page.evaluate((svg) => {
            const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
            return !doc.querySelector('parsererror') && doc.documentElement.localName === 'svg' && Number(doc.documentElement.getAttribute('width')) > 0;
          }, body);
          expect(ok, demo.id).toBe(true);
        } else {
          expect(body.split('\r\n').length, demo.id).toBeGreaterThan(2);
        }
      }
    });
  }
});
