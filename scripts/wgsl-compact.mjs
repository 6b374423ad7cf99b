// The engine's WGSL kernels (packages/attention/src/webgpu/*.wgsl, imported
// with ?raw) without their comments, indentation and blank lines in the
// built pages and custom elements: a third of their gzipped size, the same
// shaders for the GPU. WGSL has no string literals, so `//` always starts a
// comment; the kernels have no block comments (refused below if one appears).
import { readFile } from 'node:fs/promises';

/** @param {string} source */
export function compactWgsl(source) {
  if (source.includes('/*')) throw new Error('wgsl-compact: block comments are not handled');
  return source
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, '').trim())
    .filter((line) => line !== '')
    .join('\n');
}

/** @returns {import('vite').Plugin} */
export default function wgslCompact() {
  return {
    name: 'wgsl-compact',
    enforce: 'pre',
    apply: 'build',
    async load(id) {
      const [file, query] = id.split('?');
      if (!file?.endsWith('.wgsl') || query !== 'raw') return null;
      return `export default ${JSON.stringify(compactWgsl(await readFile(file, 'utf8')))};`;
    },
  };
}
