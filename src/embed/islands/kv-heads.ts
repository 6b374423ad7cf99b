export { default as Component } from '../../islands/cost/KvHeads.svelte';
export { FIELDS } from '../../islands/cost/KvHeads.share';
