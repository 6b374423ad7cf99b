/**
 * The engine as pages use it: WebGPU when the browser offers it, otherwise
 * the CPU backend in a Web Worker, so a large problem never freezes the page.
 * The worker is bundled from src/cpu/worker.ts by the page's bundler (the
 * `new Worker(new URL(..., import.meta.url))` form is what Vite recognises).
 * Pages load this module on demand, so it exports the engine's maker alone:
 * a dynamically imported module keeps all it exports, and the rest of the
 * package is imported statically where it is used.
 */
import { createEngine, type Engine, type EngineOptions } from './engine';

/**
 * A Worker that also starts from a script on another origin, as when the
 * guide's custom elements run in another site's page: browsers refuse a
 * worker URL from another origin, so a module made here (a blob: URL, of
 * the page's origin) imports the worker's script instead, which CORS allows.
 */
const OriginWorker = function (url: URL, options: WorkerOptions): Worker {
  if (typeof location !== 'undefined' && url.origin !== location.origin) {
    const source = new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' });
    return new globalThis.Worker(URL.createObjectURL(source), { ...options, type: 'module' });
  }
  return new globalThis.Worker(url, options);
} as unknown as { new (url: URL, options: WorkerOptions): Worker };

export function createBrowserEngine(options: Omit<EngineOptions, 'makeWorker'> = {}): Promise<Engine> {
  // Named Worker so the bundler still finds and bundles the worker script.
  const Worker = OriginWorker;
  return createEngine({
    ...options,
    makeWorker: () => new Worker(new URL('./cpu/worker.ts', import.meta.url), { type: 'module', name: 'attention-cpu' }),
  });
}

