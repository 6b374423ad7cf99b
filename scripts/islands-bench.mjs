#!/usr/bin/env node
// The chapters' islands, measured in the built site in Chromium (a benchmark:
// it prints figures and checks nothing):
//
//   1. input latency: from the input event (a key press on a slider, a chip,
//      a cell) to the animation frame that shows the recomputed figure, over
//      100 interactions per island at its default sizes; p50, p95 and max, on
//      the backend the engine chose (WebGPU where Chromium offers it) and
//      with the CPU forced (?compute=cpu). Target: p95 < 16 ms.
//   2. each island's own JavaScript, gzipped: its component, renderer and
//      everything they import, statically or on demand, less the attention
//      engine's own chunks (which every island shares). Target: <= 40 kB.
//
//   npm run build && npm run bench:islands
//
// An island marks each figure it puts on screen by incrementing
// `data-renders` on its root; the page-side probe below times from the
// event's timeStamp to the first animation frame after that change.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
const PORT = Number(process.env['BENCH_PORT'] ?? 4340);
const BASE = `http://127.0.0.1:${PORT}`;
const INTERACTIONS = Number(process.env['BENCH_INTERACTIONS'] ?? 100);

/**
 * One island: where it is, its root, and one interaction that changes the
 * figure (called with the interaction's index, so it can alternate).
 * @type {Array<{ name: string; path: string; root: string; ready?: string; prepare?: (page: import('@playwright/test').Page) => Promise<void>; interact: (page: import('@playwright/test').Page, i: number) => Promise<void> }>}
 */
const ISLANDS = [];

// ---------- 2. JavaScript per island ----------

const gz = (/** @type {string | Buffer} */ content) => gzipSync(content, { level: 9 }).length;
const fileOf = (/** @type {string} */ url) => join(DIST, decodeURI(url.split(/[?#]/)[0] ?? ''));

/** Every module a chunk can load: static imports, dynamic import() and new URL(…, import.meta.url) workers. */
function closure(/** @type {string[]} */ entries) {
  const seen = new Set();
  const queue = [...entries];
  while (queue.length) {
    const file = /** @type {string} */ (queue.pop());
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const m of code.matchAll(/["'`]((?:\.{1,2}\/|\/_astro\/)[^"'`]+\.m?js)["'`]/g)) {
      const spec = /** @type {string} */ (m[1]);
      queue.push(spec.startsWith('/') ? fileOf(spec) : resolve(dirname(file), spec));
    }
  }
  return seen;
}

/** The engine's chunks: the browser entry and its worker, and all they load. */
function engineChunks() {
  const astro = join(DIST, '_astro');
  const entries = readdirSync(astro)
    .filter((name) => /^(browser|worker)[.-][\w-]+\.js$/.test(name))
    .map((name) => join(astro, name));
  if (entries.length === 0) throw new Error('No engine chunk (browser.*.js) in dist/_astro: was the site built?');
  return closure(entries);
}

function islandSizes() {
  const engine = engineChunks();
  const engineBytes = [...engine].reduce((sum, file) => sum + gz(readFileSync(file)), 0);
  /** @type {Map<string, { page: string; own: number; files: number }>} */
  const sizes = new Map();
  for (const page of ['', 'chapters/what-attention-does', 'chapters/query-key-value', 'models']) {
    const html = readFileSync(join(DIST, page, 'index.html'), 'utf8');
    for (const m of html.matchAll(/<astro-island\b[^>]*>/g)) {
      const tag = m[0];
      const component = /component-url="([^"]+)"/.exec(tag)?.[1];
      const renderer = /renderer-url="([^"]+)"/.exec(tag)?.[1];
      if (!component) continue;
      // "/_astro/TokenExplorer.CSl9QWKf.js" is the island TokenExplorer.
      const name = /** @type {string} */ (component.split('/').pop()?.split('.')[0]);
      if (sizes.has(name)) continue;
      const files = [...closure([fileOf(component), ...(renderer ? [fileOf(renderer)] : [])])].filter((file) => !engine.has(file));
      sizes.set(name, { page: page ? `/${page}/` : '/', own: files.reduce((sum, file) => sum + gz(readFileSync(file)), 0), files: files.length });
    }
  }
  return { engineBytes, sizes };
}

// ---------- 1. Input latency ----------

/** Runs in the page: times each input event to the frame after the island's next render. */
function installProbe(/** @type {string} */ rootSelector) {
  const root = /** @type {HTMLElement} */ (document.querySelector(rootSelector));
  const probe = { start: 0, samples: /** @type {number[]} */ ([]) };
  // @ts-expect-error a property of the page's window, for the benchmark alone
  window.__probe = probe;
  const mark = (/** @type {Event} */ event) => {
    if (!probe.start) probe.start = event.timeStamp;
  };
  for (const type of ['keydown', 'pointerdown', 'input']) root.addEventListener(type, mark, true);
  new MutationObserver(() => {
    const start = probe.start;
    if (!start) return;
    probe.start = 0;
    requestAnimationFrame(() => probe.samples.push(performance.now() - start));
  }).observe(root, { attributes: true, attributeFilter: ['data-renders'] });
}

const percentile = (/** @type {number[]} */ xs, /** @type {number} */ p) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

async function latency(/** @type {import('@playwright/test').Browser} */ browser, /** @type {(typeof ISLANDS)[number]} */ island, /** @type {boolean} */ cpu) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await page.goto(`${BASE}${island.path}${cpu ? '?compute=cpu' : ''}`);
    await page.addStyleTag({ content: '.chapter-section { content-visibility: visible !important; }' });
    const root = page.locator(island.root);
    await root.scrollIntoViewIfNeeded();
    await root.locator('xpath=self::*[@data-hydrated]').waitFor({ timeout: 30_000 });
    if (island.ready) await page.locator(island.ready).first().waitFor({ timeout: 60_000 });
    await island.prepare?.(page);
    const backend = (await root.locator('[data-compute-target]').first().getAttribute('data-compute-target')) ?? '?';
    await page.evaluate(installProbe, island.root);
    for (let i = 0; i < INTERACTIONS; i++) {
      await island.interact(page, i);
      await page.waitForFunction((count) => /** @type {any} */ (window).__probe.samples.length >= count, i + 1, { timeout: 10_000 });
    }
    const samples = /** @type {number[]} */ (await page.evaluate(() => /** @type {any} */ (window).__probe.samples));
    const after = (await root.locator('[data-compute-target]').first().getAttribute('data-compute-target')) ?? backend;
    return { backend: after, p50: percentile(samples, 50), p95: percentile(samples, 95), max: Math.max(...samples), n: samples.length };
  } finally {
    await page.close();
  }
}

function startServer() {
  const astro = join(ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs');
  const server = spawn(process.execPath, [astro, 'preview', '--ignore-lock', '--host', '127.0.0.1', '--port', String(PORT)], {
    cwd: ROOT,
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
    stdio: 'ignore',
  });
  return server;
}

async function waitForServer() {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${BASE}/`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`The preview server did not answer on ${BASE}`);
}

if (!existsSync(DIST)) {
  console.error('No dist/ folder: run `npm run build` first.');
  process.exit(2);
}

const { engineBytes, sizes } = islandSizes();
console.log(`Island JavaScript, gzipped, beyond the engine (the engine's own chunks: ${(engineBytes / 1000).toFixed(1)} kB, loaded once per page). Target <= 40 kB.\n`);
for (const [name, size] of sizes) console.log(`  ${name.padEnd(22)} ${`${(size.own / 1000).toFixed(1)} kB`.padStart(9)}  (${size.files} files; ${size.page})`);

const server = startServer();
const systemChromium = process.env['CHROMIUM_PATH'] ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const browser = await chromium.launch({
  ...(systemChromium ? { executablePath: systemChromium } : {}),
  args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run', '--enable-unsafe-webgpu'],
});
try {
  await waitForServer();
  console.log(`\nInput latency, event to the frame showing the new figure, ${INTERACTIONS} interactions each, ms. Target p95 < 16 ms.\n`);
  console.log(`  ${'island'.padEnd(22)} ${'backend'.padEnd(8)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'max'.padStart(7)}`);
  for (const island of ISLANDS) {
    for (const cpu of [false, true]) {
      const r = await latency(browser, island, cpu);
      console.log(`  ${island.name.padEnd(22)} ${r.backend.padEnd(8)} ${r.p50.toFixed(1).padStart(7)} ${r.p95.toFixed(1).padStart(7)} ${r.max.toFixed(1).padStart(7)}${r.p95 < 16 ? '' : '  (over 16 ms)'}`);
    }
  }
} finally {
  await browser.close();
  server.kill();
}
