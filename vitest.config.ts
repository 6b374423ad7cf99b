import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    // A guard against hangs, not a speed check: the WebGPU tests run on a
    // software adapter that shares two cores with the other test files.
    testTimeout: 60_000,
  },
});
