export { default as Component } from '../../islands/causal/KvGeneration.svelte';
export { FIELDS } from '../../islands/causal/KvGeneration.share';
