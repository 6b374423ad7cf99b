export { default as Component } from '../../islands/gallery/HeadGallery.svelte';
export { FIELDS } from '../../islands/gallery/HeadGallery.share';
