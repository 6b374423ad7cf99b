#!/usr/bin/env node
// The demos as custom elements (dist/embed/attention-demos.js), measured (a
// benchmark: it prints figures and checks nothing):
//
//   1. the gzipped JavaScript a page loads for one element: the loader and
//      the demo's own bundle with everything it can load (statically or on
//      demand: the Svelte runtime, the engine and its CPU worker, the models'
//      code), and for all demos together; the engine's
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
import { dirname, join, relative, resolve } from 'node:path';
import { requireBuild, startSite } from './bench-site.mjs';
import { DIST, gz, importsOf } from './dist-files.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const PORT = Number(process.env['BENCH_PORT'] ?? 4345);
const HOST_PORT = PORT + 1000;
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const TARGET = 60_000;
const EMBED = join(DIST, 'embed');
const DEMOS = join(EMBED, 'demos');
const LOADER = join(EMBED, 'attention-demos.js');

requireBuild();
if (!existsSync(LOADER) || !existsSync(DEMOS)) {
  console.error('No dist/embed/attention-demos.js or dist/embed/demos/: was the site built with the custom elements?');
  process.exit(2);
}

// The demos and which is the 3D view, from src/lib/demos.ts.
const demoSource = readFileSync(join(ROOT, 'src', 'lib', 'demos.ts'), 'utf8');
const threeD = new Set([...demoSource.matchAll(/id: '([\w-]+)'[^}]*?threeD: true/g)].map((m) => m[1]));
const only = process.env['BENCH_ONLY'];
const demos = readdirSync(DEMOS)
  .filter((id) => existsSync(join(DEMOS, id, 'index.js')) && existsSync(join(EMBED, id, 'props.json')))
  .filter((id) => !only || id === only);
const entryOf = (/** @type {string} */ id) => join(DEMOS, id, 'index.js');

/** Every .js file under `dir`. @param {string} dir @returns {string[]} */
const jsUnder = (dir) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js')).map((f) => join(dir, f));
/** The demo's CPU worker (the engine's alone). */
const workerOf = (/** @type {string} */ id) => jsUnder(join(DEMOS, id)).filter((f) => f.includes('/assets/worker-'));
/** The bundle's make-up, minified (scripts/embed-elements.mjs writes it): engine, svelte, other. */
const partsOf = (/** @type {string} */ id) => /** @type {Record<string, number>} */ (JSON.parse(readFileSync(join(DEMOS, id, 'parts.json'), 'utf8')));

const sizeOf = (/** @type {Iterable<string>} */ files) => [...files].reduce((sum, file) => sum + gz(readFileSync(file)), 0);
/**
 * Every file `entries` can load, statically or on demand, but not through `skip`.
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
    queue.push(...importsOf(file).all);
    // Workers named relative to the bundle without a leading ./ (new URL(`assets/worker-….js`, import.meta.url)).
    const code = readFileSync(file, 'utf8');
    for (const m of code.matchAll(/new URL\(["'`](assets\/[\w.-]+\.js)["'`]/g)) queue.push(join(dirname(file), /** @type {string} */ (m[1])));
  }
  return seen;
}
const kB = (/** @type {number} */ bytes) => `${(bytes / 1000).toFixed(1)} kB`;

/** @type {Map<string, { total: number; engine: number; own: number; props: number; files: number }>} */
const sizes = new Map();
for (const id of demos) {
  // The loader, and the demo's bundle with everything it can load.
  const files = new Set([LOADER, ...everything([entryOf(id)])]);
  // The engine's share: its worker, and its part of the bundle in proportion to its minified size (an estimate: the bundle is gzipped whole).
  const parts = partsOf(id);
  const bundle = gz(readFileSync(entryOf(id)));
  const engineBytes = sizeOf(workerOf(id)) + Math.round((bundle * (parts['engine'] ?? 0)) / Object.values(parts).reduce((a, b) => a + b, 0));
  sizes.set(id, { total: sizeOf(files), engine: engineBytes, own: bundle, props: gz(readFileSync(join(EMBED, id, 'props.json'))), files: files.size });
}

console.log(`Custom elements, JavaScript gzipped (level 9): the loader and the demo's own bundle with everything it can load. Target <= ${kB(TARGET)} per demo, the 3D view excepted.`);
console.log(`The loader: ${kB(gz(readFileSync(LOADER)))}. Each demo's bundle holds the Svelte runtime and the engine as far as that demo uses them.\n`);
console.log(`  ${'demo'.padEnd(20)} ${'total'.padStart(9)} ${'engine'.padStart(9)} ${'share'.padStart(6)} ${'entry'.padStart(10)} ${'props'.padStart(9)} ${'files'.padStart(6)}  target`);
const row = (/** @type {string} */ name, /** @type {{ total: number; engine: number; own?: number; props: number; files: number }} */ s, verdict = '') =>
  console.log(
    `  ${name.padEnd(20)} ${kB(s.total).padStart(9)} ${kB(s.engine).padStart(9)} ${`${Math.round((100 * s.engine) / s.total)}%`.padStart(6)} ${(s.own === undefined ? '' : kB(s.own)).padStart(10)} ${kB(s.props).padStart(9)} ${String(s.files).padStart(6)}  ${verdict}`,
  );
for (const [id, s] of sizes) row(id, s, threeD.has(id) ? '(3D view: no target)' : s.total <= TARGET ? 'ok' : `over by ${kB(s.total - TARGET)}`);
const all = [...sizes.values()];
row('all demos', {
  total: gz(readFileSync(LOADER)) + all.reduce((sum, s) => sum + s.total - gz(readFileSync(LOADER)), 0),
  engine: all.reduce((sum, s) => sum + s.engine, 0),
  props: all.reduce((sum, s) => sum + s.props, 0),
  files: all.reduce((sum, s) => sum + s.files - 1, 1),
});
console.log(`\n(${relative(ROOT, EMBED)}: ${demos.length} demos with an element. "engine": its CPU worker and, in proportion to its minified size, its part of the bundle; "entry": the demo's index.js (the whole bundle but the worker); "props": /embed/<id>/props.json, fetched once per demo and page, not counted in "total"; "all demos": every bundle and the loader, as a page with one element of each would load them.)`);

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
