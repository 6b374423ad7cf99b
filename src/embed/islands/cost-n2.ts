export { default as Component } from '../../islands/cost/CostN2.svelte';
export { FIELDS } from '../../islands/cost/CostN2.share';
