export { default as Component } from '../../islands/tokens/TokenExplorer.svelte';
export { FIELDS } from '../../islands/tokens/TokenExplorer.share';
