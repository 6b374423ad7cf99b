export { default as Component } from '../../islands/flash/FlashTiles.svelte';
export { FIELDS } from '../../islands/flash/FlashTiles.share';
