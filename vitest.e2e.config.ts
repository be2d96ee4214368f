import { defineConfig } from 'vitest/config';

// Browser tests: a real server and Debian's Chromium; run by `npm run test:e2e`, never by `npm test`.
export default defineConfig({
  test: {
    include: ['packages/*/e2e/**/*.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One scenario at a time: each starts its own server and browser on a small machine.
    fileParallelism: false,
    // A screen that shows up in 1.1 s on a busy CI machine is not a failure (vitest's default is 1 s).
    expect: { poll: { timeout: 10_000 } },
  },
});
