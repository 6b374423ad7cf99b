import type { Component } from 'svelte';
import LayerSteps from '../../islands/concat/LayerSteps.svelte';
import { componentSnippet } from '../snippets';

export { default as Component } from '../../islands/concat/ConcatProject.svelte';
export { FIELDS } from '../../islands/concat/ConcatProject.share';

/** The first layer's maps (LayerSteps with the build's props) in the island's `first` slot. */
export function adapt({ first, ...props }: Record<string, unknown>): Record<string, unknown> {
  return { ...props, first: componentSnippet(LayerSteps as unknown as Component<Record<string, unknown>>, first as Record<string, unknown>) };
}
