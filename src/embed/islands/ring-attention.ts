export { default as Component } from '../../islands/ring/RingAttention.svelte';
export { FIELDS } from '../../islands/ring/RingAttention.share';
