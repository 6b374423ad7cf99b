export { default as Component } from '../../islands/space/SpaceView.svelte';
export { FIELDS } from '../../islands/space/SpaceView.share';
