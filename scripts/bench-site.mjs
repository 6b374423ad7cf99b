// What the site's browser benchmarks share: the built site served by
// `astro preview` on a port of their own, and the system Chromium with the
// flags the tests use (WebGPU on, no phoning home on a closed network).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { DIST } from './dist-files.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const ASTRO = join(ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs');
const ASTRO_ENV = { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' };

/** Exits with a message when there is no build to measure. */
export function requireBuild() {
  if (!existsSync(DIST)) {
    console.error('No dist/ folder: run `npm run build` first.');
    process.exit(2);
  }
}

/**
 * Builds the site of `root` (a revision's worktree: revision.ts) into its
 * dist/, with this repository's Astro; the build's warnings go to stderr.
 * @param {string} root
 */
export function buildSite(root) {
  execFileSync(process.execPath, [ASTRO, 'build'], { cwd: root, env: ASTRO_ENV, stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * Serves the built site of `root` (this repository, or a revision's worktree:
 * revision.ts) with `astro preview` on `port`, as this process's own child;
 * `stop()` ends it. Resolves once the server answers.
 * @param {number} port
 * @param {string} [root]
 */
export async function serveSite(port, root = ROOT) {
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, [ASTRO, 'preview', '--ignore-lock', '--host', '127.0.0.1', '--port', String(port)], { cwd: root, env: ASTRO_ENV, stdio: 'ignore' });
  const stop = () => {
    server.kill();
  };
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/`)).ok) return { base, stop };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  stop();
  throw new Error(`The preview server did not answer on ${base}`);
}

/**
 * Serves dist/ on `port` and starts Chromium; `stop()` ends both. The server
 * is this process's own child, so stopping it leaves nothing running.
 * @param {number} port
 */
export async function startSite(port) {
  const site = await serveSite(port);
  const systemChromium = process.env['CHROMIUM_PATH'] ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
  let browser;
  try {
    browser = await chromium.launch({
      ...(systemChromium ? { executablePath: systemChromium } : {}),
      args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run', '--enable-unsafe-webgpu'],
    });
  } catch (error) {
    site.stop();
    throw error;
  }
  const stop = async () => {
    await browser.close();
    site.stop();
  };
  return { base: site.base, browser, stop };
}
