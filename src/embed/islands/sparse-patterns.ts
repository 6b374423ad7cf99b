export { default as Component } from '../../islands/sparse/SparsePatterns.svelte';
export { FIELDS } from '../../islands/sparse/SparsePatterns.share';
