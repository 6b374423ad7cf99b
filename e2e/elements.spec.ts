import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { builtDemos, expectNoOverflow, HOST_URL, MODEL_READY, ready } from './site';

const DEMOS = builtDemos();
const elementTag = (demo: { element: string }) => demo.element;

/**
 * The demos as custom elements (/embed/attention-demos.js) in plain HTML
 * pages of another origin (e2e/host/, served by scripts/host-server.mjs):
 * they render in their shadow roots, take their state from attributes, react
 * to input, compute on WebGPU or, with compute="cpu", on the CPU, and leave
 * the host page's styles and globals as they were.
 */

const SQRT = '.sqrt-dk';
const MASK = '[data-causal-mask]';

/** The host page with <attention-sqrt-dk dk="128" divisor="off"> and <attention-causal-mask>. */
async function openHost(page: Page): Promise<{ sqrt: Locator; mask: Locator }> {
  await page.goto(`${HOST_URL}/elements.html`);
  const sqrt = page.locator('attention-sqrt-dk').locator(SQRT);
  const mask = page.locator('attention-causal-mask').locator(MASK);
  await expect(sqrt).toHaveAttribute('data-hydrated', '');
  return { sqrt, mask };
}

/** The plain host page (e2e/host/index.html), then the elements given as HTML and the script: for what loading the module changes. */
async function openPlain(page: Page, html: string): Promise<void> {
  await page.goto(`${HOST_URL}/`);
  await page.evaluate((markup) => {
    document.querySelector('#demos')!.insertAdjacentHTML('beforeend', markup);
  }, html);
}

async function addScript(page: Page, search = ''): Promise<void> {
  const site = new URL(test.info().project.use.baseURL!).origin;
  await page.evaluate((src) => {
    const script = document.createElement('script');
    script.type = 'module';
    script.src = src;
    document.body.append(script);
  }, `${site}/embed/attention-demos.js${search}`);
}

interface Shown {
  dk: number;
  divisor: string;
  renders: number;
  weights: number[];
}

function read(island: Locator): Promise<Shown> {
  return island.evaluate((root) => ({
    dk: Number(root.getAttribute('data-dk')),
    divisor: root.getAttribute('data-divisor')!,
    renders: Number(root.getAttribute('data-renders')),
    weights: [...root.querySelectorAll('[data-row-table] tbody tr')].map((tr) => Number(tr.querySelectorAll('td')[1]!.getAttribute('data-value'))),
  }));
}

async function shownAt(island: Locator, dk: number, divisor: 'on' | 'off'): Promise<Shown> {
  await expect(island).toHaveAttribute('data-dk', String(dk), MODEL_READY);
  await expect(island).toHaveAttribute('data-divisor', divisor);
  await expect.poll(async () => (await read(island)).renders).toBeGreaterThan(0);
  return read(island);
}

const maxDifference = (a: number[], b: number[]) => {
  expect(a).toHaveLength(b.length);
  expect(a.length).toBeGreaterThan(0);
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
};

test('the √d_k element renders in its shadow root, takes its attributes and reacts to the keyboard', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const { sqrt } = await openHost(page);
  expect(await page.locator('attention-sqrt-dk').evaluate((element) => element.shadowRoot?.mode)).toBe('open');
  // dk="128" divisor="off", applied as if chosen with the controls, and computed on WebGPU.
  const first = await shownAt(sqrt, 128, 'off');
  expect(await ready(sqrt)).toBe('webgpu');
  expect(Math.abs(first.weights.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
  await expect(sqrt.locator('[data-width-shown]')).toHaveText('128');
  await sqrt.getByRole('slider').focus();
  await page.keyboard.press('ArrowRight');
  await shownAt(sqrt, 256, 'off');
  await expect(sqrt).toHaveAttribute('data-share', /dk=256/);
  await sqrt.getByRole('checkbox').first().click();
  await shownAt(sqrt, 256, 'on');
  expect(errors).toEqual([]);
});

test('changing an attribute changes the view; a hostile value is refused with a notice and the view kept', async ({ page }) => {
  const { sqrt } = await openHost(page);
  await shownAt(sqrt, 128, 'off');
  const element = page.locator('attention-sqrt-dk');
  await element.evaluate((e) => e.setAttribute('dk', '32'));
  await shownAt(sqrt, 32, 'off');
  await element.evaluate((e) => e.setAttribute('divisor', 'on'));
  await shownAt(sqrt, 32, 'on');
  const before = await read(sqrt);
  await element.evaluate((e) => e.setAttribute('dk', '<img src=x onerror=alert(1)>'));
  await expect(sqrt.locator('[data-share-notice]')).toBeVisible();
  await expect(sqrt.locator('[data-share-notice]')).toContainText('dk');
  expect(await sqrt.locator('img').count()).toBe(0);
  expect((await read(sqrt)).dk).toBe(before.dk);
  await expect(sqrt.locator('[data-width-shown]')).toHaveText('32');
});

test('the causal mask element loads the trained model from the guide and computes on WebGPU', async ({ page }) => {
  const { mask } = await openHost(page);
  await mask.scrollIntoViewIfNeeded();
  await expect(mask).toHaveAttribute('data-hydrated', '');
  await mask.getByRole('checkbox', { name: /Causal mask/ }).click();
  await expect(mask).toHaveAttribute('data-causal', 'off');
  expect(await ready(mask)).toBe('webgpu');
  const weights = await mask.locator('[data-row-table] tbody tr').evaluateAll((rows) => rows.map((tr) => Number(tr.querySelectorAll('td')[1]!.getAttribute('data-value'))));
  expect(weights).toHaveLength(12);
  expect(Math.abs(weights.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
});

/** Both elements' numbers after the same changes, computed on WebGPU or, with compute="cpu", on the CPU. */
async function computeWith(browser: Browser, cpu: boolean) {
  const page = await browser.newPage();
  const compute = cpu ? ' compute="cpu"' : '';
  await openPlain(page, `<attention-sqrt-dk dk="64" divisor="off"${compute}></attention-sqrt-dk><attention-causal-mask${compute}></attention-causal-mask>`);
  await addScript(page);
  const sqrt = page.locator('attention-sqrt-dk').locator(SQRT);
  const shown = await shownAt(sqrt, 64, 'off');
  const backend = await ready(sqrt);
  const mask = page.locator('attention-causal-mask').locator(MASK);
  await mask.scrollIntoViewIfNeeded();
  await mask.getByRole('checkbox', { name: /Causal mask/ }).click();
  await expect(mask).toHaveAttribute('data-causal', 'off', MODEL_READY);
  await expect.poll(async () => Number(await mask.getAttribute('data-renders')), MODEL_READY).toBeGreaterThan(0);
  const maskBackend = await ready(mask);
  const maskWeights = await mask.locator('[data-row-table] tbody tr').evaluateAll((rows) => rows.map((tr) => Number(tr.querySelectorAll('td')[1]!.getAttribute('data-value'))));
  await page.close();
  return { backend, maskBackend, weights: shown.weights, maskWeights };
}

test('WebGPU and compute="cpu" show the same numbers within 1e-5', async ({ browser }) => {
  const gpu = await computeWith(browser, false);
  const cpu = await computeWith(browser, true);
  expect([gpu.backend, gpu.maskBackend]).toEqual(['webgpu', 'webgpu']);
  expect([cpu.backend, cpu.maskBackend]).toEqual(['cpu', 'cpu']);
  expect(maxDifference(gpu.weights, cpu.weights)).toBeLessThan(1e-5);
  expect(maxDifference(gpu.maskWeights, cpu.maskWeights)).toBeLessThan(1e-5);
});

test('the host page keeps its styles, its head and its globals; the script included twice is harmless', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await openPlain(page, '<attention-sqrt-dk dk="256"></attention-sqrt-dk>');
  const snapshot = () =>
    page.evaluate(() => {
      // Every computed property but those that follow the page's length (the demos make it longer).
      const LAYOUT = /^(height|block-size|perspective-origin|transform-origin)$/;
      const style = (selector: string) => {
        const computed = getComputedStyle(document.querySelector(selector)!);
        return Object.fromEntries([...computed].filter((name) => !LAYOUT.test(name)).map((name) => [name, computed.getPropertyValue(name)]));
      };
      return {
        globals: Object.keys(window).sort(),
        head: document.head.innerHTML,
        sheets: document.styleSheets.length,
        adopted: document.adoptedStyleSheets.length,
        body: style('body'),
        h1: style('h1'),
        text: style('#before'),
        button: style('#host-button'),
      };
    });
  const before = await snapshot();
  await addScript(page);
  const sqrt = page.locator('attention-sqrt-dk').locator(SQRT);
  await shownAt(sqrt, 256, 'on');
  // Included again, under another URL (so the module runs a second time).
  await addScript(page, '?again');
  await page.evaluate(() => document.querySelector('#demos')!.insertAdjacentHTML('beforeend', '<attention-sqrt-dk dk="8"></attention-sqrt-dk>'));
  await expect(page.locator('attention-sqrt-dk').nth(1).locator(SQRT)).toHaveAttribute('data-dk', '8', MODEL_READY);
  await page.locator('attention-sqrt-dk').nth(1).evaluate((element) => element.remove());
  const after = await snapshot();
  expect(after).toEqual(before);
  expect(errors).toEqual([]);
  expect(await page.evaluate(() => ['attention-sqrt-dk', 'attention-causal-mask'].map((tag) => customElements.get(tag) !== undefined))).toEqual([true, true]);
});

test('every demo has an element that renders its island in a host page, without errors', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) errors.push(`${response.status()} ${response.url()}`);
  });
  await openPlain(page, DEMOS.map((demo) => `<${elementTag(demo)}></${elementTag(demo)}>`).join(''));
  await addScript(page);
  for (const demo of DEMOS) {
    const element = page.locator(elementTag(demo));
    await element.scrollIntoViewIfNeeded();
    await expect(element.locator('[data-hydrated]').first(), demo.id).toBeAttached(MODEL_READY);
    expect(await element.getAttribute('data-error'), demo.id).toBeNull();
  }
  // The slots' content: the formula (MathML) and the first layer's maps.
  await expect(page.locator('attention-qkv-pipeline').locator('math')).toBeAttached();
  await expect(page.locator('attention-concat-project').locator('svg').first()).toBeAttached();
  expect(errors).toEqual([]);
});

test('the elements fit a 360 px wide page', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const { sqrt, mask } = await openHost(page);
  await shownAt(sqrt, 128, 'off');
  await expectNoOverflow(page, sqrt);
  await mask.scrollIntoViewIfNeeded();
  await expect(mask).toHaveAttribute('data-hydrated', '');
  await expectNoOverflow(page, mask);
});

test('a link of an island leads to the guide, not to the host page’s site; a removed element unmounts', async ({ page }) => {
  await openPlain(page, '<attention-head-gallery></attention-head-gallery>');
  await addScript(page);
  const element = page.locator('attention-head-gallery');
  await expect(element.locator('[data-hydrated]').first()).toBeAttached(MODEL_READY);
  const link = element.getByRole('link', { name: 'How each head was measured' });
  await link.focus();
  const site = new URL(test.info().project.use.baseURL!).origin;
  expect(await link.getAttribute('href')).toBe(`${site}/models/#model-decoder`);
  const handle = await element.elementHandle();
  await handle!.evaluate((e) => e.remove());
  await expect.poll(() => handle!.evaluate((e) => e.shadowRoot?.querySelector('[data-hydrated]') === null)).toBe(true);
});

test('theme="dark" sets the dark colours inside the element only', async ({ page }) => {
  const { sqrt } = await openHost(page);
  const background = () => sqrt.evaluate((root) => getComputedStyle(root).backgroundColor);
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await background();
  await page.locator('attention-sqrt-dk').evaluate((e) => e.setAttribute('theme', 'dark'));
  await expect.poll(background).not.toBe(light);
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(250, 245, 235)');
});
