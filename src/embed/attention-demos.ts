/**
 * The guide's demos as custom elements, for any page on any site:
 *
 *   <script type="module" src="https://<guide>/embed/attention-demos.js"></script>
 *   <attention-sqrt-dk dk="128" divisor="off"></attention-sqrt-dk>
 *
 * This file is the whole of what such a page loads up front: one element
 * definition per demo (`attention-<id>`, elementTag in src/lib/share.ts).
 * An element's island, the Svelte runtime and the engine are imported when
 * the first element of that tag connects, so a page with one demo loads one
 * demo.
 * Attributes named after the demo's fields set its state; `compute="cpu"`
 * forces the CPU engine, `theme="light|dark"` the colour scheme.
 * Built by scripts/embed-elements.mjs into dist/embed/.
 */
import { elementTag } from '../lib/share';
import { messageOf } from '../lib/engine';
import type { IslandModule, mountDemo } from './element.svelte';

/** What a demo's bundle (dist/embed/demos/<id>/index.js) exports: its island and fields, and the code that mounts it. */
type DemoBundle = IslandModule & { mountDemo: typeof mountDemo };
type Load = () => Promise<DemoBundle>;

/** The demos with an element (src/embed/islands/<id>.ts), written in by scripts/embed-elements.mjs. */
declare const __DEMO_IDS__: string[];

/** The guide's root, where /embed/ and /models/ are: this file is <root>/embed/attention-demos.js. */
const SITE = new URL(/* @vite-ignore */ '../', import.meta.url);
const EMBED = new URL(/* @vite-ignore */ './', import.meta.url);

function define(id: string, load: Load): void {
  const tag = elementTag({ id });
  // The script included twice (or two copies of it) defines each tag once.
  if (customElements.get(tag)) return;
  customElements.define(
    tag,
    class extends HTMLElement {
      /** The island being mounted or on screen; a newer connection replaces it. */
      #mounted: Promise<{ destroy(): void } | undefined> | undefined;

      connectedCallback(): void {
        if (this.#mounted) return;
        const mounted: Promise<{ destroy(): void } | undefined> = load()
          .then((bundle) => (this.#mounted === mounted ? bundle.mountDemo(SITE, this, id, bundle) : undefined))
          .then((done) => {
            // Disconnected while loading: taken down at once.
            if (this.#mounted === mounted) return done;
            done?.destroy();
            return undefined;
          })
          .catch((error: unknown) => {
            if (this.#mounted === mounted) this.#mounted = undefined;
            this.setAttribute('data-error', messageOf(error));
            return undefined;
          });
        this.#mounted = mounted;
      }

      disconnectedCallback(): void {
        const mounted = this.#mounted;
        this.#mounted = undefined;
        void mounted?.then((done) => done?.destroy());
      }
    },
  );
}

for (const id of __DEMO_IDS__) define(id, () => import(/* @vite-ignore */ new URL(`demos/${id}/index.js`, EMBED).href) as Promise<DemoBundle>);
