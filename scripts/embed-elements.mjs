// The guide's demos as custom elements (src/embed/attention-demos.ts), built
// after the site by a second Vite build into dist/embed/: the loader
// attention-demos.js and, under dist/embed/chunks/, one chunk per demo's
// island plus the hashed chunks they share (the Svelte runtime, the engine
// and its CPU worker). The islands are compiled with css: 'injected', so each
// component's CSS goes into the shadow root it is mounted in, and nothing
// into the host page's head; nor does Svelte's version go on `window`.
// Relative URLs (base './') let the chunks, the worker and the models be
// found from whatever page loads the loader.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { build } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import wgslCompact from './wgsl-compact.mjs';

/** @param {string} root @param {string} dist @param {{ sourcemap?: boolean }} [options] */
export async function buildElements(root, dist, { sourcemap = false } = {}) {
  await build({
    configFile: false,
    root,
    base: './',
    logLevel: 'warn',
    publicDir: false,
    plugins: [wgslCompact(), svelte({ configFile: false, emitCss: false, compilerOptions: { css: 'injected', discloseVersion: false } })],
    worker: { format: 'es' },
    build: {
      outDir: join(dist, 'embed'),
      emptyOutDir: false,
      copyPublicDir: false,
      // The preload helper would add <link rel="modulepreload"> to the host page's head.
      modulePreload: false,
      target: 'es2022',
      // light-dark() as it is written: every browser the guide supports has it (README).
      cssTarget: ['chrome123', 'edge123', 'firefox120', 'safari17.5'],
      sourcemap,
      reportCompressedSize: false,
      rollupOptions: {
        input: { 'attention-demos': join(root, 'src/embed/attention-demos.ts') },
        output: {
          entryFileNames: '[name].js',
          chunkFileNames: 'chunks/[name]-[hash].js',
          assetFileNames: 'chunks/[name]-[hash][extname]',
          // Svelte's runtime in a chunk of its own name, which every element shares.
          codeSplitting: { groups: [{ name: 'svelte', test: /[\\/]node_modules[\\/]svelte[\\/]/ }] },
        },
      },
    },
  });
}

/** @returns {import('astro').AstroIntegration} */
export default function embedElements() {
  /** @type {string} */
  let root = process.cwd();
  return {
    name: 'embed-elements',
    hooks: {
      'astro:config:done': ({ config }) => {
        root = fileURLToPath(config.root);
      },
      'astro:build:done': async ({ dir, logger }) => {
        const started = performance.now();
        await buildElements(root, fileURLToPath(dir));
        logger.info(`custom elements built in dist/embed/ in ${Math.round(performance.now() - started)} ms`);
      },
    },
  };
}
