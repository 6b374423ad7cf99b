/// <reference types="@webgpu/types" />

// WGSL sources are imported as text: `import src from './x.wgsl?raw'` (Vite,
// Astro and vitest all support the ?raw suffix).
declare module '*.wgsl?raw' {
  const src: string;
  export default src;
}
