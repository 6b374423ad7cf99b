// The built site's files as the size budget and the benchmarks read them:
// gzipped sizes, a page's URL to its file, and which chunks a chunk loads.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

export const DIST = resolve(import.meta.dirname, '..', 'dist');

export const gz = (/** @type {string | Buffer} */ content) => gzipSync(content, { level: 9 }).length;

/** A site path ("/_astro/x.js") to its file in dist. */
export const fileOf = (/** @type {string} */ url) => join(DIST, decodeURI(url.split(/[?#]/)[0] ?? ''));

/**
 * What a built chunk loads: `statics` are its `import … from "x.js"`,
 * `import "x.js"` and `export * from "x.js"`, which run before it; `all` adds
 * every other chunk it names: `import("./x.js")` (Vite writes these inside
 * its preload helper, as template strings) and `new URL("./x.js", …)` workers.
 * @param {string} file
 */
export function importsOf(file) {
  const code = readFileSync(file, 'utf8');
  const at = (/** @type {string} */ spec) => (spec.startsWith('/') ? fileOf(spec) : resolve(dirname(file), spec));
  const statics = [...code.matchAll(/(?:^|[;\s}])(?:import|export)\s*(?:[\w*{}\s,$]+?\s*from\s*)?["']([^"']+\.m?js)["']/g)].map((m) => at(/** @type {string} */ (m[1])));
  const all = [...code.matchAll(/["'`]((?:\.{1,2}\/|\/_astro\/)[^"'`]+\.m?js)["'`]/g)].map((m) => at(/** @type {string} */ (m[1])));
  return { statics, all, dynamics: all.filter((f) => !statics.includes(f)) };
}

/**
 * Every chunk `entries` load, followed to the end: statically only (what runs
 * before anything else can), or with `onDemand` everything they can load. A
 * static import of a missing file is an error; a string that only looks like
 * a chunk's name, met on demand, is skipped.
 * @param {string[]} entries
 * @param {{ onDemand?: boolean }} [options]
 */
export function closure(entries, { onDemand = false } = {}) {
  const seen = new Set();
  const queue = [...entries];
  while (queue.length) {
    const file = /** @type {string} */ (queue.pop());
    if (seen.has(file) || (onDemand && !existsSync(file))) continue;
    seen.add(file);
    const imports = importsOf(file);
    queue.push(...(onDemand ? imports.all : imports.statics));
  }
  return seen;
}

/** The attention engine's entry chunks: its browser entry and its CPU worker. */
export function engineEntries() {
  const astro = join(DIST, '_astro');
  const entries = readdirSync(astro)
    .filter((name) => /^(browser|worker)[.-][\w-]+\.js$/.test(name))
    .map((name) => join(astro, name));
  if (entries.length === 0) throw new Error('No engine chunk (browser.*.js) in dist/_astro: was the site built?');
  return entries;
}
