export { default as Component } from '../../islands/gallery/TrainingSnapshots.svelte';
export { FIELDS } from '../../islands/gallery/TrainingSnapshots.share';
