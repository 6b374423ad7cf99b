import { htmlSnippet } from '../snippets';

export { default as Component } from '../../islands/qkv/QkvPipeline.svelte';
export { FIELDS } from '../../islands/qkv/QkvPipeline.share';

/** The formula (MathML, from the build) in the island's default slot. */
export function adapt({ formula, ...props }: Record<string, unknown>): Record<string, unknown> {
  return { ...props, children: htmlSnippet(String(formula)) };
}
