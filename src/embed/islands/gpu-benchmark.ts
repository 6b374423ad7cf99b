export { default as Component } from '../../islands/bench/GpuBenchmark.svelte';
export { FIELDS } from '../../islands/bench/GpuBenchmark.share';
