/**
 * Snippets for the islands that take a slot, made in the browser for their
 * custom elements (a chapter page gets them from Astro): HTML the build
 * wrote (the build's own output, never anything from the host page or its
 * attributes), or a component mounted with props the build computed.
 */
import { createRawSnippet, mount, unmount, type Component, type Snippet } from 'svelte';

export function htmlSnippet(html: string): Snippet {
  return createRawSnippet(() => ({ render: () => `<div>${html}</div>` }));
}

export function componentSnippet<P extends Record<string, unknown>>(component: Component<P>, props: P): Snippet {
  return createRawSnippet(() => ({
    render: () => '<div></div>',
    setup: (target) => {
      const instance = mount(component, { target, props });
      return () => void unmount(instance);
    },
  }));
}
