/**
 * What a demo does each time the reader changes something: take the page's
 * engine, compute, and show the result only if no newer change came in
 * meanwhile (so a slow answer never overwrites a newer one); then say where
 * it computed, or why it could not, and count the render for benchmarks
 * (`data-renders`). On failure the last figure stays on screen.
 */
import { tick } from 'svelte';
import type { Engine } from '@attention-guide/attention';
import { messageOf, pageEngine, type ComputeStatus } from './engine';

export class Recompute {
  status: ComputeStatus = $state({ state: 'static' });
  /** Figures put on screen by this island so far. */
  renders = $state(0);
  /** Computations in flight. */
  running = $state(0);
  #latest = 0;

  /**
   * Computes with the page's engine, then `show`s the result unless a newer
   * run has started (or cancel() was called). Resolves to whether this run's result reached the screen.
   */
  async run<T>(compute: (engine: Engine) => Promise<T>, show: (result: T) => void): Promise<boolean> {
    const ticket = ++this.#latest;
    if (this.status.state !== 'ready') this.status = { state: 'loading' };
    this.running += 1;
    try {
      const engine = await pageEngine();
      const result = await compute(engine);
      if (ticket !== this.#latest) return false;
      show(result);
      this.status = { state: 'ready', backend: engine.backend };
      await tick();
      this.renders += 1;
      return true;
    } catch (error) {
      if (ticket !== this.#latest) return false;
      this.status = { state: 'failed', message: messageOf(error) };
      return false;
    } finally {
      this.running -= 1;
    }
  }

  /** Drops the runs in flight: their results will not be shown (the reader's latest input was refused). */
  cancel(): void {
    this.#latest += 1;
  }

  /** Marks a change shown without computing (a token picked from weights already there). */
  async shown(): Promise<void> {
    await tick();
    this.renders += 1;
  }
}
