export { default as Component } from '../../islands/scaling/SqrtDk.svelte';
export { FIELDS } from '../../islands/scaling/SqrtDk.share';
