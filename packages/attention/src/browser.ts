/**
 * The engine as pages use it: WebGPU when the browser offers it, otherwise
 * the CPU backend in a Web Worker, so a large problem never freezes the page.
 * The worker is bundled from src/cpu/worker.ts by the page's bundler (the
 * `new URL(..., import.meta.url)` form is what Vite recognises).
 */
import { createEngine, type Engine, type EngineOptions } from './engine';

export function createBrowserEngine(options: Omit<EngineOptions, 'makeWorker'> = {}): Promise<Engine> {
  return createEngine({
    ...options,
    makeWorker: () => new Worker(new URL('./cpu/worker.ts', import.meta.url), { type: 'module', name: 'attention-cpu' }),
  });
}

export * from './index';
