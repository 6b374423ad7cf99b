#!/usr/bin/env node
// The chapters' islands, measured in the built site in Chromium (a benchmark:
// it prints figures and checks nothing):
//
//   1. input latency: from the input event (a key press on a slider, a chip,
//      a cell) to the animation frame that shows the recomputed figure, over
//      100 interactions per island at its default sizes; p50, p95 and max, on
//      the backend the engine chose (WebGPU where Chromium offers it) and
//      with the CPU forced (?compute=cpu). Target: p95 < 16 ms (50 ms for
//      the head gallery's text, which reruns the whole model).
//   2. each island's own JavaScript, gzipped: its component, renderer and
//      everything they import, statically or on demand, less the attention
//      engine's own chunks (which every island shares). Target: <= 40 kB.
//
//   npm run build && npm run bench:islands   (BENCH_ONLY=pipeline for one island)
//
// With `-- --against REV`, every latency is also measured on another
// revision's site: it is checked out beside this one (revision.ts), built
// there and served on the next port, and the two builds are measured in
// turn in the same browser, BENCH_ROUNDS times each (default 2), so a change
// is compared with its baseline under the same load. Sizes are this build's.
//
// BENCH_SLOWDOWN=4 slows the page's main thread that many times (Chromium's
// CPU throttling, at the factor Lighthouse's mobile emulation uses), for the
// page's share of the latency a reader on a phone meets. Only the main thread
// is slowed: the CPU engine's worker and the GPU process run at full speed,
// where a phone's would be slower too.
//
// An island marks each figure it puts on screen by incrementing
// `data-renders` on its root; the page-side probe (island-probe.mjs) times
// from the event's timeStamp to the first animation frame after that change.
// scripts/gpu-browser/ runs the same probe on a GPU machine without Node.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSite, requireBuild, serveSite, startSite } from './bench-site.mjs';
import { closure, DIST, engineEntries, fileOf, gz } from './dist-files.mjs';
import { installProbe, SENTENCES, submitSentence } from './island-probe.mjs';
import { percentile } from './percentile.mjs';
import { checkOutRevision } from './revision.ts';

const PORT = Number(process.env['BENCH_PORT'] ?? 4340);
const INTERACTIONS = Number(process.env['BENCH_INTERACTIONS'] ?? 100);
const SLOWDOWN = Number(process.env['BENCH_SLOWDOWN'] ?? 1);
if (!(SLOWDOWN >= 1)) throw new Error(`BENCH_SLOWDOWN takes a factor of 1 or more, not ${process.env['BENCH_SLOWDOWN']}.`);

/**
 * The island's text box given the next sentence (scripts/island-probe.mjs's submitSentence).
 * @param {import('@playwright/test').Page} page
 * @param {string} root
 * @param {number} i
 */
async function typeSentence(page, root, i) {
  await page.locator(`${root} form input[type="text"]`).evaluate(submitSentence, SENTENCES[i % 2]);
}

/**
 * One island: where it is, its root, and one interaction that changes the
 * figure (called with the interaction's index, so it can alternate); `target`
 * is its p95 target in ms where it is not 16. An interaction that resolves
 * to `false` only sets the figure up for the next ones (a reset): it is
 * waited for but not timed.
 * @type {Array<{ name: string; path: string; root: string; target?: number; interact: (page: import('@playwright/test').Page, i: number) => Promise<void | boolean> }>}
 */
const ISLANDS = [
  {
    name: 'token explorer: pick',
    path: '/chapters/what-attention-does/',
    root: '[data-token-explorer]',
    // Left and right along the chips: the selected token's row, bars and arcs.
    interact: (page, i) => page.locator('[data-token-explorer] [role="option"][aria-selected="true"]').press(i % 2 ? 'ArrowRight' : 'ArrowLeft'),
  },
  {
    name: 'token explorer: text',
    path: '/chapters/what-attention-does/',
    root: '[data-token-explorer]',
    interact: (page, i) => typeSentence(page, '[data-token-explorer]', i),
  },
  {
    name: 'head gallery: text',
    path: '/chapters/multi-head-attention/',
    root: '[data-head-gallery]',
    // The whole gallery: one decoder run recomputes all eight heads, their thumbnails and the enlarged map.
    target: 50,
    interact: (page, i) => typeSentence(page, '[data-head-gallery]', i),
  },
  {
    name: 'Q-K-V pipeline: a cell',
    path: '/chapters/query-key-value/',
    root: '.qkv',
    // One keystroke in X's first cell, then its undoing: every stage after it recomputes.
    interact: async (page, i) => {
      const cell = page.locator('.qkv [data-matrix="x"] input').first();
      // The caret at the end, so "-0.9" becomes "-0.95" and back.
      await cell.evaluate((el) => {
        const input = /** @type {HTMLInputElement} */ (el);
        input.focus();
        input.setSelectionRange(input.value.length, input.value.length);
      });
      await cell.press(i % 2 ? 'Backspace' : '5');
    },
  },
  {
    name: 'library: temperature',
    path: '/chapters/query-key-value/',
    root: '.library',
    interact: (page, i) => page.locator('#library-temperature').press(i % 2 ? 'ArrowLeft' : 'ArrowRight'),
  },
  {
    name: 'generation: step',
    path: '/chapters/self-and-cross-attention/',
    root: '[data-kv-generation]',
    // One Step: the next token read through the KV cache. Once the model has written <eos>, Reset starts
    // again from the prompt (reading it anew, several steps at once): not timed.
    interact: async (page) => {
      const root = page.locator('[data-kv-generation]');
      const end = Boolean(await root.getAttribute('data-end'));
      await root.locator(end ? 'button[data-reset]' : 'button[data-step]').press('Enter');
      return !end;
    },
  },
  {
    name: '√d_k demo: d_k slider',
    path: '/chapters/query-key-value/',
    root: '.sqrt-dk',
    interact: (page, i) => page.locator('#sqrtdk-width').press(i % 2 ? 'ArrowLeft' : 'ArrowRight'),
  },
  {
    name: 'self vs cross: pick',
    path: '/chapters/self-and-cross-attention/',
    root: '[data-self-cross]',
    // Left and right along the French tokens: the picked row in both decoder maps.
    interact: (page, i) => page.locator('[data-self-cross] [data-tokens="french"] [aria-selected="true"]').press(i % 2 ? 'ArrowRight' : 'ArrowLeft'),
  },
  {
    name: 'concat: row',
    path: '/chapters/multi-head-attention/',
    root: '[data-concat-project]',
    // Left and right along the token chips: the selected row through every map and table.
    interact: (page, i) => page.locator('[data-concat-project] [role="option"][aria-selected="true"]').press(i % 2 ? 'ArrowRight' : 'ArrowLeft'),
  },
];

// ---------- 2. JavaScript per island ----------

function islandSizes() {
  const engine = closure(engineEntries(), { onDemand: true });
  const engineBytes = [...engine].reduce((sum, file) => sum + gz(readFileSync(file)), 0);
  /** @type {Map<string, { page: string; own: number; files: number }>} */
  const sizes = new Map();
  /** Svelte's runtime: the renderer's chunks, which every island counts and a page loads once. */
  let runtimeBytes = 0;
  // Every page of the site that has islands: the landing page, every chapter, the models page.
  const chapters = readdirSync(join(DIST, 'chapters'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `chapters/${d.name}`);
  for (const page of ['', ...chapters.sort(), 'models']) {
    const html = readFileSync(join(DIST, page, 'index.html'), 'utf8');
    for (const m of html.matchAll(/<astro-island\b[^>]*>/g)) {
      const tag = m[0];
      const component = /component-url="([^"]+)"/.exec(tag)?.[1];
      const renderer = /renderer-url="([^"]+)"/.exec(tag)?.[1];
      if (!component) continue;
      // "/_astro/TokenExplorer.CSl9QWKf.js" is the island TokenExplorer.
      const name = /** @type {string} */ (component.split('/').pop()?.split('.')[0]);
      if (sizes.has(name)) continue;
      const files = [...closure([fileOf(component), ...(renderer ? [fileOf(renderer)] : [])], { onDemand: true })].filter((file) => !engine.has(file));
      if (renderer && !runtimeBytes) runtimeBytes = [...closure([fileOf(renderer)])].filter((file) => !engine.has(file)).reduce((sum, file) => sum + gz(readFileSync(file)), 0);
      sizes.set(name, { page: page ? `/${page}/` : '/', own: files.reduce((sum, file) => sum + gz(readFileSync(file)), 0), files: files.length });
    }
  }
  return { engineBytes, runtimeBytes, sizes };
}

// ---------- 1. Input latency ----------

async function latency(/** @type {import('@playwright/test').Browser} */ browser, /** @type {string} */ site, /** @type {(typeof ISLANDS)[number]} */ island, /** @type {boolean} */ cpu) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    if (SLOWDOWN > 1) await (await page.context().newCDPSession(page)).send('Emulation.setCPUThrottlingRate', { rate: SLOWDOWN });
    await page.goto(`${site}${island.path}${cpu ? '?compute=cpu' : ''}`);
    // The page as readers get it: sections far off screen are skipped by content-visibility, as in the chapters' CSS.
    const root = page.locator(island.root);
    // A deep island can end up off screen after one scroll, as the sections passed on the way take their real
    // heights in place of their estimates: scroll again until it hydrates. Its section first: until that section is
    // laid out, the island's own box is where it was before the browser skipped it, which may be nowhere near.
    for (let tries = 1; ; tries++) {
      await root.evaluate(async (el) => {
        el.closest('.chapter-section')?.scrollIntoView();
        await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
      });
      await root.scrollIntoViewIfNeeded();
      try {
        await root.locator('xpath=self::*[@data-hydrated]').waitFor({ timeout: 3_000 });
        break;
      } catch (error) {
        if (tries === 10) throw error;
      }
    }
    // Two interactions to start the engine (and load a model), undone again; then wait for its answer.
    await island.interact(page, 0);
    await island.interact(page, 1);
    await page.locator(`${island.root} [data-compute-target="webgpu"], ${island.root} [data-compute-target="cpu"]`).first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(500);
    const backend = (await root.locator('[data-compute-target]').first().getAttribute('data-compute-target')) ?? '?';
    await page.evaluate(installProbe, island.root);
    for (let i = 0; i < INTERACTIONS; i++) {
      const counted = await island.interact(page, i);
      await page.evaluate((count) => /** @type {any} */ (window).__probe.until(count), i + 1);
      if (counted === false) await page.evaluate(() => /** @type {any} */ (window).__probe.untimed());
    }
    const probe = /** @type {{ dom: number[]; frame: number[]; skip: number[] }} */ (await page.evaluate(() => /** @type {any} */ (window).__probe));
    const timed = (/** @type {number[]} */ xs) => xs.filter((_, k) => !probe.skip.includes(k));
    const [dom, frame] = [timed(probe.dom), timed(probe.frame)];
    const after = (await root.locator('[data-compute-target]').first().getAttribute('data-compute-target')) ?? backend;
    return {
      backend: after,
      dom: { p50: percentile(dom, 50), p95: percentile(dom, 95), max: Math.max(...dom) },
      frame: { p50: percentile(frame, 50), p95: percentile(frame, 95) },
    };
  } finally {
    await page.close();
  }
}



requireBuild();

const { engineBytes, runtimeBytes, sizes } = islandSizes();
console.log(`Island JavaScript, gzipped, beyond the engine (the engine's own chunks: ${(engineBytes / 1000).toFixed(1)} kB, loaded once per page). Target <= 40 kB.`);
console.log(`Each figure includes Svelte's runtime, ${(runtimeBytes / 1000).toFixed(1)} kB, which a page with several islands also loads once.\n`);
for (const [name, size] of sizes) console.log(`  ${name.padEnd(22)} ${`${(size.own / 1000).toFixed(1)} kB`.padStart(9)}  (${size.files} files; ${size.page})`);

const { values: flags } = parseArgs({ options: { against: { type: 'string' } } });
/** The builds measured: this one, and with --against another revision's, built in its worktree. */
const builds = [{ label: 'this build', site: '', stop: () => {} }];
if (flags.against) {
  const revision = checkOutRevision(flags.against);
  process.on('exit', () => revision.remove());
  console.log(`\nBuilding ${revision.commit} to measure beside this build...`);
  buildSite(revision.dir);
  const served = await serveSite(PORT + 1, revision.dir);
  builds.push({ label: revision.commit, site: served.base, stop: served.stop });
}
const rounds = flags.against ? Number(process.env['BENCH_ROUNDS'] ?? 2) : 1;

const { base, browser, stop } = await startSite(PORT);
builds[0].site = base;
try {
  console.log(`\nInput latency over ${INTERACTIONS} interactions each, ms: from the input event to the new figure in the DOM, styled and laid out`);
  console.log(`(target p95 < 16 ms), and to the animation frame after it (which adds the wait for the next refresh)${SLOWDOWN > 1 ? `, with the page's main thread slowed ${SLOWDOWN} times` : ''}.\n`);
  const buildColumn = flags.against ? ` ${'build'.padEnd(10)}` : '';
  console.log(`  ${'island'.padEnd(24)} ${'backend'.padEnd(8)}${buildColumn} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'max'.padStart(7)}   ${'frame p50'.padStart(9)} ${'p95'.padStart(7)}`);
  // BENCH_ONLY=pipeline measures only the islands whose name contains it.
  const only = process.env['BENCH_ONLY'];
  for (const island of ISLANDS.filter((i) => !only || i.name.includes(only))) {
    for (const cpu of [false, true]) {
      for (let round = 0; round < rounds; round++) {
        // The builds take turns going first.
        for (const build of round % 2 ? [...builds].reverse() : builds) {
          const r = await latency(browser, build.site, island, cpu);
          const f = (/** @type {number} */ x) => x.toFixed(1).padStart(7);
          const label = flags.against ? ` ${build.label.padEnd(10)}` : '';
          console.log(`  ${island.name.padEnd(24)} ${r.backend.padEnd(8)}${label} ${f(r.dom.p50)} ${f(r.dom.p95)} ${f(r.dom.max)}   ${r.frame.p50.toFixed(1).padStart(9)} ${f(r.frame.p95)}${r.dom.p95 < (island.target ?? 16) ? '' : `  (p95 over ${island.target ?? 16} ms)`}`);
        }
      }
    }
  }
} finally {
  await stop();
  for (const build of builds) build.stop();
}
