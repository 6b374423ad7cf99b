#!/usr/bin/env node
// The query-key-value space (chapter 2's 3D view), measured in the built site
// in Chromium. A benchmark: it prints figures and checks nothing.
//
//   1. Sizes, gzipped: the island's own code (what hydration loads, beyond
//      the Svelte runtime every island shares), the chunk with three.js
//      (loaded only when the figure nears the viewport and WebGL works), and
//      what picking a head of the trained model adds (its code; the model's
//      weights are a separate download).
//   2. Frame time with 16 and 64 tokens while the view turns every frame
//      (the arrow key, pressed once per animation frame): the interval
//      between frames drawn, and the main thread's time in each frame;
//      median and p95. Target: 60 frames per second (16.7 ms) at 64 tokens
//      on a laptop GPU. Here Chromium draws WebGL with SwiftShader on the
//      CPU, so these are the software renderer's figures.
//   3. Time from the figure entering the viewport (scrolled to at once, so
//      nothing was preloaded) to its first 3D frame, on a cold cache and a
//      warm one.
//
//   npm run build && npm run bench:space
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBuild, startSite } from './bench-site.mjs';
import { closure, DIST, engineEntries, fileOf, gz, importsOf } from './dist-files.mjs';
import { percentile } from './percentile.mjs';

const PORT = Number(process.env['BENCH_PORT'] ?? 4341);
const BASE = `http://127.0.0.1:${PORT}`;
const PAGE = '/chapters/query-key-value/';
const FRAMES = Number(process.env['BENCH_FRAMES'] ?? 240);
const ENTRIES = Number(process.env['BENCH_ENTRIES'] ?? 5);

const kB = (/** @type {number} */ bytes) => `${(bytes / 1000).toFixed(1)} kB`;

const sum = (/** @type {Iterable<string>} */ files) => [...files].reduce((total, file) => total + gz(readFileSync(file)), 0);
const short = (/** @type {string} */ file) => file.split('/').pop();

function sizes() {
  const html = readFileSync(join(DIST, PAGE, 'index.html'), 'utf8');
  const tag = [...html.matchAll(/<astro-island\b[^>]*>/g)].map((m) => m[0]).find((t) => /component-url="[^"]*SpaceView\./.test(t));
  if (!tag) throw new Error(`No SpaceView island in ${PAGE}: was the site built?`);
  const component = fileOf(/** @type {string} */ (/component-url="([^"]+)"/.exec(tag)?.[1]));
  const renderer = fileOf(/** @type {string} */ (/renderer-url="([^"]+)"/.exec(tag)?.[1]));
  const runtime = closure([renderer]);
  const island = [...closure([component])].filter((f) => !runtime.has(f));
  // What the island loads on demand: the three.js chunk, the engine, the model's code.
  const later = new Set([...island].flatMap((f) => importsOf(f).dynamics));
  const engine = closure(engineEntries());
  const loaded = new Set([...island, ...runtime, ...engine]);
  const three = [...later].filter((f) => /\/scene\.[\w-]+\.js$/.test(f));
  const threeFiles = [...closure(three)].filter((f) => !loaded.has(f));
  const model = [...later].filter((f) => /\/model\.[\w-]+\.js$/.test(f));
  const modelFiles = [...closure(model)].filter((f) => !loaded.has(f) && !threeFiles.includes(f));
  // The model's own dynamic imports (inference, tokenizer, vocabulary).
  for (const f of [...modelFiles]) for (const g of importsOf(f).dynamics) for (const h of closure([g])) if (!loaded.has(h) && !modelFiles.includes(h)) modelFiles.push(h);
  const weights = ['decoder.json', 'decoder.bin'].reduce((total, name) => total + readFileSync(join(DIST, 'models', name)).length, 0);
  return {
    island: { bytes: sum(island), files: island.map(short) },
    runtime: { bytes: sum(runtime) },
    three: { bytes: sum(threeFiles), raw: threeFiles.reduce((t, f) => t + readFileSync(f).length, 0), files: threeFiles.map(short) },
    model: { bytes: sum(modelFiles), files: modelFiles.map(short), weights },
  };
}

async function openIsland(/** @type {import('@playwright/test').Page} */ page) {
  await page.goto(`${BASE}${PAGE}`);
  await page.addStyleTag({ content: '.chapter-section { content-visibility: visible !important; }' });
  const island = page.locator('.space');
  await island.scrollIntoViewIfNeeded();
  await page.locator('.space[data-view="ready"]').waitFor({ timeout: 60_000 });
  return island;
}

/**
 * Runs in the page: presses ArrowLeft on the view once per animation frame,
 * after that frame's drawing, so the view draws a new frame every frame.
 * Records when each frame was drawn (the view's data-frames changes) and how
 * long the main thread spent in the frame's callbacks before this one.
 */
function turnEveryFrame(/** @type {number} */ count) {
  const view = /** @type {HTMLElement} */ (document.querySelector('.space .view'));
  /** @type {number[]} */
  const drawnAt = [];
  /** @type {number[]} */
  const work = [];
  const observer = new MutationObserver(() => drawnAt.push(performance.now()));
  observer.observe(view, { attributes: true, attributeFilter: ['data-frames'] });
  return new Promise((done) => {
    let left = count;
    const press = () => view.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true, cancelable: true }));
    const step = (/** @type {number} */ frameStart) => {
      // This callback was queued after the view's own, so the view has drawn this frame's picture by now.
      work.push(performance.now() - frameStart);
      if (--left <= 0) {
        observer.disconnect();
        const intervals = drawnAt.slice(1).map((t, i) => t - /** @type {number} */ (drawnAt[i]));
        done({ intervals, work: work.slice(2), drawn: drawnAt.length });
        return;
      }
      press();
      requestAnimationFrame(step);
    };
    press();
    requestAnimationFrame(step);
  });
}

async function frameTimes(/** @type {import('@playwright/test').Browser} */ browser, /** @type {'random-16' | 'random-64'} */ source) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    const island = await openIsland(page);
    const before = Number(await island.getAttribute('data-renders'));
    await page.getByLabel('Vectors').selectOption(source);
    await page.waitForFunction((n) => Number(document.querySelector('.space')?.getAttribute('data-renders')) > n, before, { timeout: 60_000 });
    const tokens = await island.locator('table[data-weights] tbody tr').count();
    await page.evaluate(turnEveryFrame, 30); // warm up
    const r = /** @type {{ intervals: number[]; work: number[]; drawn: number }} */ (await page.evaluate(turnEveryFrame, FRAMES));
    return { tokens, ...r };
  } finally {
    await page.close();
  }
}

/** From the figure entering the viewport to its first 3D frame, scrolling to it at once. */
async function firstFrame(/** @type {import('@playwright/test').Browser} */ browser, /** @type {boolean} */ warm) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    if (warm) {
      const page = await context.newPage();
      await openIsland(page);
      await page.close();
    }
    const page = await context.newPage();
    await page.goto(`${BASE}${PAGE}`, { waitUntil: 'networkidle' });
    await page.addStyleTag({ content: '.chapter-section { content-visibility: visible !important; }' });
    return await page.evaluate(
      () =>
        new Promise((done) => {
          const island = /** @type {HTMLElement} */ (document.querySelector('.space'));
          let entered = 0;
          new IntersectionObserver((entries, observer) => {
            if (entries.some((e) => e.isIntersecting)) {
              entered = performance.now();
              observer.disconnect();
            }
          }).observe(island);
          new MutationObserver((_, observer) => {
            const view = island.querySelector('.view');
            if (entered && view?.getAttribute('data-frames')) {
              observer.disconnect();
              done(performance.now() - entered);
            }
          }).observe(island.parentElement ?? island, { attributes: true, subtree: true, childList: true });
          island.scrollIntoView({ block: 'center' });
        }),
    );
  } finally {
    await context.close();
  }
}



requireBuild();

const s = sizes();
console.log('Sizes, gzipped\n');
console.log(`  the island's own code, loaded on hydration   ${kB(s.island.bytes).padStart(9)}  (${s.island.files.join(', ')})`);
console.log(`  the Svelte runtime, shared by every island   ${kB(s.runtime.bytes).padStart(9)}`);
console.log(`  three.js chunk, loaded near the viewport     ${kB(s.three.bytes).padStart(9)}  (${kB(s.three.raw)} before gzip: three.js, OrbitControls and the scene module; ${s.three.files.join(', ')})`);
console.log(`  the model's code, when a model head is picked ${kB(s.model.bytes).padStart(8)}  (${s.model.files.join(', ')}), plus the weights: ${kB(s.model.weights)} uncompressed`);

const { browser, stop } = await startSite(PORT);
try {
  const probe = await browser.newPage();
  await probe.goto(`${BASE}/`);
  const gl = await probe.evaluate(() => {
    const context = document.createElement('canvas').getContext('webgl2');
    const info = context?.getExtension('WEBGL_debug_renderer_info');
    const name = info && context ? String(context.getParameter(info.UNMASKED_RENDERER_WEBGL)) : 'no WebGL 2';
    // The island draws without multisampling on a software renderer (its probeWebgl).
    const software = /swiftshader|llvmpipe|lavapipe|software/i.test(name);
    return `${name}${software ? '; a software renderer, so the view draws without multisampling' : ''}`;
  });
  await probe.close();
  console.log(`\nFrame time while the view turns every frame, ${FRAMES} frames, ms (WebGL renderer: ${gl}). Target: 16.7 ms (60 fps) at 64 tokens on a laptop GPU.\n`);
  console.log(`  ${'tokens'.padEnd(7)} ${'interval p50'.padStart(13)} ${'p95'.padStart(7)} ${'fps (p50)'.padStart(10)} ${'main thread p50'.padStart(16)} ${'p95'.padStart(7)}`);
  for (const source of /** @type {const} */ (['random-16', 'random-64'])) {
    const r = await frameTimes(browser, source);
    const p50 = percentile(r.intervals, 50);
    console.log(
      `  ${String(r.tokens).padEnd(7)} ${p50.toFixed(1).padStart(13)} ${percentile(r.intervals, 95).toFixed(1).padStart(7)} ${(1000 / p50).toFixed(0).padStart(10)} ${percentile(r.work, 50).toFixed(1).padStart(16)} ${percentile(r.work, 95).toFixed(1).padStart(7)}`,
    );
  }
  console.log(`\nFrom the figure entering the viewport to its first 3D frame, ms (${ENTRIES} page loads each; p50 and max)\n`);
  for (const warm of [false, true]) {
    const times = [];
    for (let i = 0; i < ENTRIES; i++) times.push(/** @type {number} */ (await firstFrame(browser, warm)));
    console.log(`  ${(warm ? 'warm cache' : 'cold cache').padEnd(11)} p50 ${percentile(times, 50).toFixed(0).padStart(5)}   max ${Math.max(...times).toFixed(0).padStart(5)}`);
  }
} finally {
  await stop();
}
