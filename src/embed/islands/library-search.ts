export { default as Component } from '../../islands/library/LibrarySearch.svelte';
export { FIELDS } from '../../islands/library/LibrarySearch.share';
