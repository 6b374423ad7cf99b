#!/usr/bin/env node
// The size budget of every built page, gzipped (sizes are deterministic for a
// given build, so this is a check, not a benchmark):
//   HTML, less the demos' islands          <= 30 kB
//   each island's server-rendered HTML     <= 6 kB
//     (a demo's first state is rendered into the page so the chapter reads
//      with JavaScript off: its markup, numbers and props. It is measured
//      on its own, gzipped alone, so a chapter's text and a demo's figure
//      each keep a budget however many demos a chapter gains)
//   JavaScript loaded before any island hydrates  <= 15 kB
//     (inline scripts, module scripts and everything they import statically;
//      an island's own component and renderer load only when it hydrates)
//   CSS, KaTeX's included                  <= 25 kB
// Prints a table and exits 1 when a page is over.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { closure, DIST, fileOf, gz } from './dist-files.mjs';

const KB = 1000;
const BUDGET = { html: 30 * KB, island: 6 * KB, js: 15 * KB, css: 25 * KB };


/** @param {string} dir @returns {string[]} */
function htmlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'pagefind' || name === '_astro' ? [] : htmlFiles(path);
    return name.endsWith('.html') ? [path] : [];
  });
}



function measure(/** @type {string} */ htmlPath) {
  const html = readFileSync(htmlPath, 'utf8');
  // Islands' own code is fetched when they hydrate, so it is not counted.
  const islandUrls = new Set([...html.matchAll(/(?:component|renderer)-url="([^"]+)"/g)].map((m) => m[1]));
  const inlineJs = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>([\s\S]*?)<\/script>/g)]
    .filter((m) => !/type="(application\/(ld\+)?json|text\/template)"/.test(m[1] ?? ''))
    .map((m) => m[2] ?? '');
  const moduleUrls = [
    ...[...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]),
    ...[...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1]),
  ].filter((url) => url && !islandUrls.has(url));
  // Module scripts bundled into the page inline their imports as `import "/_astro/x.js"`.
  const inlineImports = inlineJs.flatMap((code) => [...code.matchAll(/import\s*(?:[\w*{}\s,$]+?\s*from\s*)?["'](\/[^"']+\.m?js)["']/g)].map((m) => m[1]));
  const jsFiles = [...closure([...moduleUrls, ...inlineImports].map((url) => fileOf(/** @type {string} */ (url))))];
  const cssFiles = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => fileOf(/** @type {string} */ (m[1])));
  const inlineCss = [...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? '');
  const islands = [...html.matchAll(/<astro-island\b[\s\S]*?<\/astro-island>/g)].map((m) => ({
    name: /component-url="[^"]*\/([^/."]+)\./.exec(m[0])?.[1] ?? 'island',
    size: gz(m[0]),
  }));
  return {
    html: gz(html.replace(/<astro-island\b[\s\S]*?<\/astro-island>/g, '')),
    islands,
    js: inlineJs.reduce((sum, code) => sum + gz(code), 0) + jsFiles.reduce((sum, file) => sum + gz(readFileSync(file)), 0),
    css: inlineCss.reduce((sum, code) => sum + gz(code), 0) + cssFiles.reduce((sum, file) => sum + gz(readFileSync(file)), 0),
  };
}

let pages;
try {
  pages = htmlFiles(DIST).sort();
} catch {
  console.error('No dist/ folder: run `npm run build` first.');
  process.exit(2);
}
const fmt = (/** @type {number} */ bytes) => `${(bytes / KB).toFixed(1)} kB`.padStart(9);
const over = [];
console.log(
  `Size budget per page, gzipped (HTML less islands <= ${BUDGET.html / KB} kB, each island's HTML <= ${BUDGET.island / KB} kB, ` +
    `JS before hydration <= ${BUDGET.js / KB} kB, CSS <= ${BUDGET.css / KB} kB)\n`,
);
console.log(`${'page'.padEnd(46)}${'HTML'.padStart(9)}${'JS'.padStart(9)}${'CSS'.padStart(9)}   islands' HTML`);
for (const path of pages) {
  const size = measure(path);
  const name = `/${relative(DIST, path)}`.replace(/index\.html$/, '');
  const flags = /** @type {const} */ (['html', 'js', 'css']).filter((k) => size[k] > BUDGET[k]);
  const bigIslands = size.islands.filter((island) => island.size > BUDGET.island);
  if (flags.length) over.push(`${name}: ${flags.join(', ')} over budget`);
  for (const island of bigIslands) over.push(`${name}: the island ${island.name} is over budget`);
  const islands = size.islands.map((island) => `${island.name} ${(island.size / KB).toFixed(1)}`).join(', ');
  console.log(`${name.padEnd(46)}${fmt(size.html)}${fmt(size.js)}${fmt(size.css)}   ${islands}${flags.length || bigIslands.length ? '  OVER' : ''}`);
}
if (pages.length === 0) {
  console.error('dist/ has no pages.');
  process.exit(1);
}
if (over.length) {
  console.error(`\n${over.join('\n')}`);
  process.exit(1);
}
console.log(`\nAll ${pages.length} pages within budget.`);
