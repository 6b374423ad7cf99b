export { default as Component } from '../../islands/causal/CausalMask.svelte';
export { FIELDS } from '../../islands/causal/CausalMask.share';
