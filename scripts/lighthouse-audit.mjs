#!/usr/bin/env node
// `npm run audit`: Lighthouse, with its default mobile emulation and
// throttling, on the landing page and every chapter of the built site, served
// by `astro preview` and measured in the machine's Chromium. Prints the four
// category scores per page. A benchmark, not a test: scores vary a little
// from run to run on a busy machine.
//
// Targets: Performance >= 98; Accessibility, Best Practices and SEO = 100.
// Builds the site first unless --no-build is given.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

const ROOT = resolve(import.meta.dirname, '..');
const PORT = Number(process.env.AUDIT_PORT ?? 4329);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const CHROME = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TARGET = { performance: 98, accessibility: 100, 'best-practices': 100, seo: 100 };
const CATEGORIES = /** @type {const} */ (['performance', 'accessibility', 'best-practices', 'seo']);

if (!process.argv.includes('--no-build')) {
  // Canonical links must name the origin being audited, or Lighthouse's SEO
  // audit rightly flags them as pointing elsewhere.
  const build = spawnSync('npx', ['astro', 'build'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, SITE_URL: ORIGIN, ASTRO_TELEMETRY_DISABLED: '1' } });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
if (!existsSync(join(ROOT, 'dist', 'sitemap-0.xml'))) {
  console.error('No built site in dist/: run without --no-build.');
  process.exit(2);
}
const sitemap = readFileSync(join(ROOT, 'dist', 'sitemap-0.xml'), 'utf8');
const paths = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)]
  .map((m) => new URL(/** @type {string} */ (m[1])).pathname)
  .filter((path) => path === '/' || path.startsWith('/chapters/'));

const server = spawn('npx', ['astro', 'preview', '--ignore-lock', '--host', '127.0.0.1', '--port', String(PORT)], {
  cwd: ROOT,
  stdio: 'ignore',
  detached: true,
  env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
});
// Stop the whole process group: npx, Node and the preview server.
const stopServer = () => {
  try {
    if (server.pid) process.kill(-server.pid, 'SIGTERM');
  } catch {}
};
process.on('exit', stopServer);
process.on('SIGINT', () => process.exit(130));

for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${ORIGIN}/`)).ok) break;
  } catch {}
  if (i > 100) throw new Error(`The preview server did not answer on ${ORIGIN}`);
  await new Promise((r) => setTimeout(r, 200));
}

const chrome = await chromeLauncher.launch({
  chromePath: CHROME,
  chromeFlags: [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
  ],
});

const rows = [];
const reports = join(ROOT, '.lighthouse');
mkdirSync(reports, { recursive: true });
try {
  for (const path of paths) {
    const result = await lighthouse(`${ORIGIN}${path}`, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: [...CATEGORIES] });
    if (!result) throw new Error(`Lighthouse returned nothing for ${path}`);
    const { lhr } = result;
    writeFileSync(join(reports, `${path.replace(/\W+/g, '_') || 'index'}.json`), JSON.stringify(lhr));
    const scores = Object.fromEntries(CATEGORIES.map((c) => [c, Math.round((lhr.categories[c]?.score ?? 0) * 100)]));
    const failing = Object.values(lhr.audits)
      .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode === 'binary')
      .map((a) => a.id);
    rows.push({ path, ...scores, lcp: lhr.audits['largest-contentful-paint']?.displayValue ?? '', failing });
  }
} finally {
  chrome.kill();
}

console.log(`\nLighthouse ${ORIGIN} (mobile emulation, simulated throttling), Chromium at ${CHROME}\n`);
console.log(`${'page'.padEnd(38)}${'Perf'.padStart(6)}${'A11y'.padStart(6)}${'BP'.padStart(6)}${'SEO'.padStart(6)}   LCP`);
let missed = 0;
for (const row of rows) {
  const cells = CATEGORIES.map((c) => {
    const score = /** @type {number} */ (row[c]);
    if (score < TARGET[c]) missed += 1;
    return `${score}${score < TARGET[c] ? '!' : ' '}`.padStart(6);
  });
  console.log(`${row.path.padEnd(38)}${cells.join('')}   ${row.lcp}`);
  if (row.failing.length) console.log(`${''.padEnd(38)}failing audits: ${row.failing.join(', ')}`);
}
console.log(`\nTargets: Performance >= ${TARGET.performance}, others ${TARGET.seo}. ${missed === 0 ? 'All met.' : `${missed} score(s) below target (marked !).`}`);
console.log(`Full reports: ${reports}/`);
process.exit(missed === 0 ? 0 : 1);
