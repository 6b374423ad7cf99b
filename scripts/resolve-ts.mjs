// Lets Node run the package's TypeScript sources directly. They import each
// other without extensions (as bundlers and vitest allow), which Node's ESM
// resolver refuses, so a failed relative import is retried with ".ts"; and
// the WebGPU kernels are imported as `./x.wgsl?raw` (a Vite convention), which
// this hook serves as a module whose default export is the file's text.
import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier.endsWith('.wgsl?raw')) {
      return { url: new URL(specifier, context.parentURL).href, shortCircuit: true };
    }
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if (specifier.startsWith('.') && !/\.[cm]?[jt]s$/.test(specifier)) return nextResolve(`${specifier}.ts`, context);
      throw error;
    }
  },
  load(url, context, nextLoad) {
    if (url.endsWith('.wgsl?raw')) {
      const source = readFileSync(fileURLToPath(url.slice(0, -'?raw'.length)), 'utf8');
      return { format: 'module', source: `export default ${JSON.stringify(source)};`, shortCircuit: true };
    }
    return nextLoad(url, context);
  },
});
