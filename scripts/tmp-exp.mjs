import { build } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import wgslCompact from './wgsl-compact.mjs';
import { readdirSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
const root = process.cwd();
const id = process.argv[2];
writeFileSync(join(root, 'src/embed/tmp-entry.ts'), `export * from './islands/${id}';\nexport { mountDemo } from './element.svelte';\n`);
const out = `/tmp/exp-${id}`;
rmSync(out, { recursive: true, force: true });
await build({ configFile: false, root, base: './', logLevel: 'warn', publicDir: false,
  plugins: [wgslCompact(), svelte({ configFile: false, emitCss: false, compilerOptions: { css: 'injected', discloseVersion: false } })],
  worker: { format: 'es' },
  build: { outDir: out, modulePreload: false, target: 'es2022', cssTarget: ['chrome123','edge123','firefox120','safari17.5'], reportCompressedSize: false,
    rollupOptions: { preserveEntrySignatures: 'strict', input: { e: join(root, 'src/embed/tmp-entry.ts') }, output: { entryFileNames: '[name].js', chunkFileNames: 'c/[name]-[hash].js' } } } });
rmSync(join(root, 'src/embed/tmp-entry.ts'));
let total = 0;
const walk = (d) => { for (const n of readdirSync(d)) { const p = join(d, n); if (statSync(p).isDirectory()) walk(p); else if (p.endsWith('.js')) { const z = gzipSync(readFileSync(p)).length; total += z; console.log(z, p.slice(out.length)); } } };
walk(out);
console.log('total', total);
