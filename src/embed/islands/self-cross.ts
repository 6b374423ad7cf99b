export { default as Component } from '../../islands/cross/SelfCross.svelte';
export { FIELDS } from '../../islands/cross/SelfCross.share';
