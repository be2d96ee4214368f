import { defineConfig } from 'vitest/config';

// Browser tests: a real server and Debian's Chromium; run by `npm run test:e2e`, never by `npm test`.
export default defineConfig({
  test: {
    include: ['packages/*/e2e/**/*.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One scenario at a time: each starts its own server and browser on a small machine.
    fileParallelism: false,
  },
});
