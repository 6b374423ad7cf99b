#!/usr/bin/env node
// The demos as custom elements (dist/embed/attention-demos.js), measured (a
// benchmark: it prints figures and checks nothing):
//
//   1. the gzipped JavaScript a page loads for one element: the loader, the
//      element's shared code, the demo's chunk and everything they can load
//      (statically or on demand: the Svelte runtime, the engine and its CPU
//      worker, the models' code), and for all demos together; the engine's
//      share; the demo's build-time props (its props.json), apart. Target:
//      one demo's element <= 60 kB gzipped including the engine, the 3D
//      view excepted.
//   2. time to first render: from inserting the element into a host page on
//      another origin (scripts/host-server.mjs), with the loader already
//      loaded, to the island on screen in its shadow root (its
//      data-hydrated), each run in a fresh browser context (nothing cached);
//      the median of BENCH_RUNS runs.
//
//   npm run build && npm run bench:elements   (BENCH_ONLY=sqrt-dk for one demo)
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { requireBuild, startSite } from './bench-site.mjs';
import { DIST, gz, importsOf } from './dist-files.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const PORT = Number(process.env['BENCH_PORT'] ?? 4345);
const HOST_PORT = PORT + 1000;
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const TARGET = 60_000;
const EMBED = join(DIST, 'embed');
const CHUNKS = join(EMBED, 'chunks');
const LOADER = join(EMBED, 'attention-demos.js');

requireBuild();
if (!existsSync(LOADER)) {
  console.error('No dist/embed/attention-demos.js: was the site built with the custom elements?');
  process.exit(2);
}

// The demos and which is the 3D view, from src/lib/demos.ts.
const demoSource = readFileSync(join(ROOT, 'src', 'lib', 'demos.ts'), 'utf8');
const threeD = new Set([...demoSource.matchAll(/id: '([\w-]+)'[^}]*?threeD: true/g)].map((m) => m[1]));
const chunks = readdirSync(CHUNKS);
const chunkOf = (/** @type {string} */ name) => {
  const file = chunks.find((f) => f.startsWith(`${name}-`) && /^[\w.-]+-[\w-]{8}\.js$/.test(f) && f.slice(name.length + 1).length === 11);
  return file && join(CHUNKS, file);
};
const only = process.env['BENCH_ONLY'];
const demos = readdirSync(EMBED)
  .filter((id) => existsSync(join(EMBED, id, 'props.json')) && chunkOf(id))
  .filter((id) => !only || id === only);
const element = chunkOf('element.svelte');
const engine = chunks.filter((f) => /^(browser|worker)-/.test(f)).map((f) => join(CHUNKS, f));
const workers = readdirSync(join(EMBED, 'assets'))
  .filter((f) => f.endsWith('.js'))
  .map((f) => join(EMBED, 'assets', f));
if (!element || engine.length === 0) throw new Error('dist/embed/chunks has no element or engine chunk');

const sizeOf = (/** @type {Iterable<string>} */ files) => [...files].reduce((sum, file) => sum + gz(readFileSync(file)), 0);
/**
 * Every chunk `entries` can load, statically or on demand, except through the
 * loader: every chunk names it (for Vite's import helper it holds), and it
 * names every demo's chunk, which one element never loads; nor through `skip`.
 * @param {string[]} entries
 * @param {Set<string>} [skip]
 */
function everything(entries, skip = new Set()) {
  const seen = new Set();
  const queue = [...entries];
  while (queue.length) {
    const file = /** @type {string} */ (queue.pop());
    if (seen.has(file) || skip.has(file) || !existsSync(file)) continue;
    seen.add(file);
    if (file !== LOADER) queue.push(...importsOf(file).all);
  }
  return seen;
}
const engineEntries = new Set([...engine, ...workers]);
const kB = (/** @type {number} */ bytes) => `${(bytes / 1000).toFixed(1)} kB`;

/** @type {Map<string, { total: number; engine: number; own: number; props: number; files: number }>} */
const sizes = new Map();
for (const id of demos) {
  const entries = [LOADER, element, /** @type {string} */ (chunkOf(id))];
  const files = everything(entries);
  // The engine's share: what only the engine's entry chunks (and its worker) bring.
  const engineBytes = sizeOf(files) - sizeOf(everything(entries, engineEntries));
  sizes.set(id, { total: sizeOf(files), engine: engineBytes, own: gz(readFileSync(/** @type {string} */ (chunkOf(id)))), props: gz(readFileSync(join(EMBED, id, 'props.json'))), files: files.size });
}
const allFiles = everything([LOADER, element, ...demos.map((id) => /** @type {string} */ (chunkOf(id)))]);
const svelte = chunkOf('svelte');

console.log(`Custom elements, JavaScript gzipped (level 9), each with everything it can load. Target <= ${kB(TARGET)} per demo, the 3D view excepted.`);
console.log(`The loader: ${kB(gz(readFileSync(LOADER)))}; the element's shared code: ${kB(gz(readFileSync(element)))}; Svelte's runtime: ${svelte ? kB(gz(readFileSync(svelte))) : '?'}.\n`);
console.log(`  ${'demo'.padEnd(20)} ${'total'.padStart(9)} ${'engine'.padStart(9)} ${'share'.padStart(6)} ${'own chunk'.padStart(10)} ${'props'.padStart(9)} ${'files'.padStart(6)}  target`);
const row = (/** @type {string} */ name, /** @type {{ total: number; engine: number; own?: number; props: number; files: number }} */ s, verdict = '') =>
  console.log(
    `  ${name.padEnd(20)} ${kB(s.total).padStart(9)} ${kB(s.engine).padStart(9)} ${`${Math.round((100 * s.engine) / s.total)}%`.padStart(6)} ${(s.own === undefined ? '' : kB(s.own)).padStart(10)} ${kB(s.props).padStart(9)} ${String(s.files).padStart(6)}  ${verdict}`,
  );
for (const [id, s] of sizes) row(id, s, threeD.has(id) ? '(3D view: no target)' : s.total <= TARGET ? 'ok' : `over by ${kB(s.total - TARGET)}`);
const allEntries = [LOADER, element, ...demos.map((id) => /** @type {string} */ (chunkOf(id)))];
row('all demos', {
  total: sizeOf(allFiles),
  engine: sizeOf(allFiles) - sizeOf(everything(allEntries, engineEntries)),
  props: demos.reduce((sum, id) => sum + (sizes.get(id)?.props ?? 0), 0),
  files: allFiles.size,
});
console.log(`\n(${relative(ROOT, EMBED)}: ${demos.length} demos with an element. "engine": what only the engine's chunks and its CPU worker bring; "own chunk": the demo's chunk alone; "props": /embed/<id>/props.json, fetched once per demo and page, not counted in "total".)`);

// ---------- time to first render ----------

const site = await startSite(PORT);
const host = spawn(process.execPath, [join(ROOT, 'scripts', 'host-server.mjs'), String(HOST_PORT)], {
  cwd: ROOT,
  env: { ...process.env, SITE_ORIGIN: site.base },
  stdio: 'ignore',
});
const hostBase = `http://127.0.0.1:${HOST_PORT}`;
try {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${hostBase}/`)).ok) break;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`\nTime to first render in a host page on another origin, ms: from inserting the element (loader loaded) to the island on screen; median of ${RUNS} runs, nothing cached.\n`);
  console.log(`  ${'demo'.padEnd(20)} ${'median'.padStart(8)} ${'min'.padStart(8)} ${'max'.padStart(8)} ${'requests'.padStart(9)} ${'loaded (gz)'.padStart(12)}`);
  for (const id of demos) {
    /** @type {number[]} */
    const times = [];
    let requests = 0;
    let loaded = 0;
    for (let run = 0; run < RUNS; run++) {
      const context = await site.browser.newContext();
      const page = await context.newPage();
      /** @type {Promise<number>[]} */
      const fetched = [];
      page.on('requestfinished', (request) => {
        if (!request.url().startsWith(site.base)) return;
        fetched.push(
          request
            .response()
            .then((response) => response?.body())
            .then((body) => (body ? gz(body) : 0))
            .catch(() => 0),
        );
      });
      await page.goto(`${hostBase}/`);
      await page.evaluate(
        (src) =>
          new Promise((done, fail) => {
            const script = document.createElement('script');
            script.type = 'module';
            script.src = src;
            script.onload = done;
            script.onerror = fail;
            document.body.append(script);
          }),
        `${site.base}/embed/attention-demos.js`,
      );
      const ms = await page.evaluate(
        (tag) =>
          new Promise((done) => {
            const started = performance.now();
            const element = document.createElement(tag);
            document.querySelector('#demos')?.append(element);
            const look = () => {
              if (element.shadowRoot?.querySelector('[data-hydrated]')) done(performance.now() - started);
              else requestAnimationFrame(look);
            };
            look();
          }),
        `attention-${id}`,
      );
      times.push(/** @type {number} */ (ms));
      requests = fetched.length;
      loaded = (await Promise.all(fetched)).reduce((a, b) => a + b, 0);
      await context.close();
    }
    times.sort((a, b) => a - b);
    const f = (/** @type {number} */ x) => x.toFixed(0).padStart(8);
    console.log(`  ${id.padEnd(20)} ${f(times[Math.floor(times.length / 2)] ?? NaN)} ${f(times[0] ?? NaN)} ${f(times.at(-1) ?? NaN)} ${String(requests).padStart(9)} ${kB(loaded).padStart(12)}`);
  }
  console.log('\n("requests" and "loaded": what the page fetched from the guide\'s origin by its first render, in the last run, the loader and props.json included, each gzipped; for most demos the engine, its worker and the models come later, on the first computation.)');
} finally {
  host.kill();
  await site.stop();
}
