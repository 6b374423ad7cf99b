export { default as Component } from '../../islands/concat/ParamCount.svelte';
export { FIELDS } from '../../islands/concat/ParamCount.share';
