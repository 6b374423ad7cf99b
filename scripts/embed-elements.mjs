// The guide's demos as custom elements (src/embed/attention-demos.ts), built
// after the site by more Vite builds into dist/embed/: the loader
// attention-demos.js and, under dist/embed/demos/<id>/, each demo's own
// bundle (its island, the element code, the Svelte runtime and the engine
// with its CPU worker, as much of each as the demo uses). The islands are compiled with css: 'injected', so each
// component's CSS goes into the shadow root it is mounted in, and nothing
// into the host page's head; nor does Svelte's version go on `window`.
// Relative URLs (base './') let the chunks, the worker and the models be
// found from whatever page loads the loader.
import { fileURLToPath } from 'node:url';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import wgslCompact from './wgsl-compact.mjs';

/** The module Vite's build gives its import() helper. */
const PRELOAD_HELPER = '\0vite/preload-helper.js';

/** The demos with an element: src/embed/islands/<id>.ts. @param {string} root */
export const demoIds = (root) =>
  readdirSync(join(root, 'src', 'embed', 'islands'))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => name.slice(0, -'.ts'.length))
    .sort();

/** What every build shares. @param {string} root @param {boolean} sourcemap */
const common = (root, sourcemap) => ({
  configFile: /** @type {const} */ (false),
  root,
  base: './',
  logLevel: /** @type {const} */ ('warn'),
  publicDir: /** @type {const} */ (false),
  worker: { format: /** @type {const} */ ('es') },
  build: {
    emptyOutDir: false,
    copyPublicDir: false,
    // The preload helper would add <link rel="modulepreload"> to the host page's head.
    modulePreload: /** @type {const} */ (false),
    target: 'es2022',
    // light-dark() as it is written: every browser the guide supports has it (README).
    cssTarget: ['chrome123', 'edge123', 'firefox120', 'safari17.5'],
    sourcemap,
    reportCompressedSize: false,
  },
});

/**
 * The loader, then each demo as a bundle of its own (dist/embed/demos/<id>/):
 * the demo's island, the element code, and the parts of the Svelte runtime
 * and the engine that demo uses, so a page with one demo loads no code of
 * the others. (One build with shared chunks gave every demo the runtime
 * features and engine code any demo used: 6 to 8 kB gzipped more each.)
 * @param {string} root @param {string} dist @param {{ sourcemap?: boolean }} [options]
 */
export async function buildElements(root, dist, { sourcemap = false } = {}) {
  const ids = demoIds(root);
  const base = common(root, sourcemap);
  await build({
    ...base,
    define: { __DEMO_IDS__: JSON.stringify(ids) },
    build: {
      ...base.build,
      outDir: join(dist, 'embed'),
      rolldownOptions: {
        input: { 'attention-demos': join(root, 'src/embed/attention-demos.ts') },
        output: { entryFileNames: '[name].js' },
      },
    },
  });
  for (const id of ids) {
    const entry = `\0attention-demo:${id}`;
    await build({
      ...base,
      plugins: [
        wgslCompact(),
        svelte({ configFile: false, emitCss: false, compilerOptions: { css: 'injected', discloseVersion: false } }),
        {
          // Vite wraps each import() in a helper that preloads the chunks it needs; a demo's bundle is
          // one file with nothing to preload, so the helper (about 1 kB gzipped, and an event it would
          // dispatch on the host's window on failure) is replaced by a plain call.
          name: 'attention-demo-no-preload',
          enforce: 'pre',
          resolveId: (source) => (source === PRELOAD_HELPER ? source : undefined),
          load: (resolved) => (resolved === PRELOAD_HELPER ? 'export const __vitePreload = (load) => load();' : undefined),
        },
        {
          // What the bundle is made of, for the benchmark's shares: the engine, Svelte's runtime, the rest,
          // each as Rollup's rendered length (the module's code after tree-shaking, before minification).
          name: 'attention-demo-parts',
          generateBundle(_, bundle) {
            /** @type {Record<string, number>} */
            const parts = { engine: 0, svelte: 0, other: 0 };
            for (const file of Object.values(bundle)) {
              if (file.type !== 'chunk') continue;
              for (const [module, { renderedLength }] of Object.entries(file.modules)) {
                const part = module.includes('/packages/attention/') ? 'engine' : module.includes('/node_modules/svelte/') ? 'svelte' : 'other';
                parts[part] = (parts[part] ?? 0) + renderedLength;
              }
            }
            this.emitFile({ type: 'asset', fileName: 'parts.json', source: JSON.stringify(parts) });
          },
        },
        {
          name: 'attention-demo-entry',
          resolveId: (source) => (source === `attention-demo:${id}` ? entry : undefined),
          load: (resolved) =>
            resolved === entry
              ? `export * from ${JSON.stringify(join(root, 'src/embed/islands', `${id}.ts`))};\nexport { mountDemo } from ${JSON.stringify(join(root, 'src/embed/element.svelte.ts'))};\n`
              : undefined,
        },
      ],
      build: {
        ...base.build,
        outDir: join(dist, 'embed', 'demos', id),
        rolldownOptions: {
          input: { index: `attention-demo:${id}` },
          preserveEntrySignatures: 'strict',
          output: {
            entryFileNames: '[name].js',
            // One file: the demo's lazily loaded parts (the engine, the models' code) cost more split
            // (each chunk gzipped on its own) than they save by waiting, once the element is on the page.
            codeSplitting: false,
            chunkFileNames: 'chunks/[name]-[hash].js',
            assetFileNames: 'chunks/[name]-[hash][extname]',
          },
        },
      },
    });
  }
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
