/**
 * What a demo's custom element does once connected (the loader,
 * attention-demos.ts, imports this with the demo's island only when an
 * element of its tag appears): an open shadow root holding the guide's base
 * styles and the island, mounted with its build-time props
 * (/embed/<id>/props.json) and `params`, the element's attributes that are
 * fields of the demo, kept up to date as they change.
 *
 * Nothing reaches the host page: the styles live in the shadow root (each
 * island's own CSS is injected there by Svelte), and the only state is the
 * engine and models this bundle's modules share between its elements.
 */
import { mount, unmount, type Component } from 'svelte';
import type { Fields } from '../lib/share';
import { forceCpu } from '../lib/engine';
import { setAssetBase } from '../lib/models';
import { decodeProps } from './props-codec';
import baseCss from './element.css?inline';

/** A demo's island (a Svelte component, whatever its props) and its fields, as its chunk exports them. */
export interface IslandModule {
  Component: unknown;
  FIELDS: Fields;
  /** Turns the build's props into the island's (a slot's content into a snippet), where they differ. */
  adapt?: (props: Record<string, unknown>) => Record<string, unknown>;
}

const propsCache = new Map<string, Promise<Record<string, unknown>>>();

function buildProps(site: URL, id: string): Promise<Record<string, unknown>> {
  let props = propsCache.get(id);
  if (!props) {
    props = fetch(new URL(`embed/${id}/props.json`, site)).then(async (response) => {
      if (!response.ok) throw new Error(`${response.url} answered ${response.status}`);
      return decodeProps(await response.text());
    });
    props.catch(() => propsCache.delete(id));
    propsCache.set(id, props);
  }
  return props;
}

function fieldAttributes(element: HTMLElement, fields: Fields): Record<string, string> {
  const params: Record<string, string> = {};
  for (const name of Object.keys(fields)) {
    const value = element.getAttribute(name);
    if (value !== null) params[name] = value;
  }
  return params;
}

export interface Mounted {
  destroy(): void;
}

/** Mounts the island into the element's shadow root; `site` is the guide's root (where /embed/ and /models/ are). */
export async function mountDemo(site: URL, element: HTMLElement, id: string, island: IslandModule): Promise<Mounted> {
  setAssetBase(site.href);
  if (element.getAttribute('compute') === 'cpu') forceCpu();
  const initial = await buildProps(site, id);
  const root = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = baseCss;
  root.append(style);
  // Only `params` changes; the build's props go in as they are (not deeply proxied: the islands post some to the engine's worker).
  let params = $state.raw(fieldAttributes(element, island.FIELDS));
  const props = {
    ...(island.adapt ? island.adapt(initial) : initial),
    get params() {
      return params;
    },
  };
  const instance = mount(island.Component as Component<Record<string, unknown>>, { target: root, props });
  // The islands' links to the guide's pages (/models/…) lead to the guide, not to the host's site:
  // made absolute as the reader reaches them (pointer, keyboard or click), whatever the island has redrawn.
  const toSite = (event: Event) => {
    const link = (event.target as Element | null)?.closest?.('a[href^="/"]:not([href^="//"])');
    if (link) link.setAttribute('href', new URL(link.getAttribute('href')!, site).href);
  };
  for (const type of ['pointerdown', 'focusin', 'click']) root.addEventListener(type, toSite, true);
  // The fields' attributes, watched: a change is read again by the island's SharedState.
  const observer = new MutationObserver(() => {
    params = fieldAttributes(element, island.FIELDS);
  });
  const names = Object.keys(island.FIELDS);
  if (names.length > 0) observer.observe(element, { attributes: true, attributeFilter: names });
  return {
    destroy() {
      observer.disconnect();
      for (const type of ['pointerdown', 'focusin', 'click']) root.removeEventListener(type, toSite, true);
      void unmount(instance);
      style.remove();
    },
  };
}
