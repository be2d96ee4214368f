import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          // The first test of a file may load the R4 definitions (about 2 s here, far more when
          // CI shares the machine); the default 5 s failed a run that was only slow.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'db',
          include: ['packages/*/src/**/*.int.test.ts'],
          globalSetup: ['packages/server/src/test-support/global-setup.ts'],
          // A 500 is always a bug: print its cause even though tests run without a logger.
          env: { UNICHART_DEBUG_ERRORS: '1' },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
