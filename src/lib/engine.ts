/**
 * The one attention engine a page's islands share: started on first use
 * (so a page whose demos never hydrate loads none of it), WebGPU where the
 * browser offers it, else the CPU in a worker. `?compute=cpu` in the page's
 * URL forces the CPU, so a reader (or a test) can compare the two backends
 * on the same view.
 */
import type { BackendInfo, Engine } from '@attention-guide/attention';

/** The URL parameter that forces the CPU backend: `?compute=cpu`. */
export const COMPUTE_PARAM = 'compute';

let cpuAsked = false;

/**
 * Ask for the CPU without the URL parameter (a custom element's
 * `compute="cpu"`); it applies to the page's engine if it has not started yet.
 */
export function forceCpu(): void {
  cpuAsked = true;
}

export function cpuForced(search = typeof location === 'undefined' ? '' : location.search): boolean {
  return cpuAsked || new URLSearchParams(search).get(COMPUTE_PARAM) === 'cpu';
}

let shared: Promise<Engine> | undefined;

/** The page's engine. A start that fails is forgotten, so the next call tries again. */
export function pageEngine(): Promise<Engine> {
  if (!shared) {
    shared = import('@attention-guide/attention/browser')
      .then(({ createBrowserEngine }) => createBrowserEngine({ prefer: cpuForced() ? 'cpu' : 'auto' }))
      .catch((error: unknown) => {
        shared = undefined;
        throw error;
      });
  }
  return shared;
}

/** What an island says about where its numbers came from. */
export type ComputeStatus =
  | { state: 'static' }
  | { state: 'loading' }
  | { state: 'ready'; backend: BackendInfo }
  | { state: 'failed'; message: string };

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
