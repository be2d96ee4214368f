// Lint rules that protect data and the architecture, not style (the formatter owns style).
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const SERVER_ONLY = ['@unichart/server', '@unichart/cli', 'fastify', 'pg', '@electric-sql/pglite'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'packages/**/*.mjs', 'packages/**/*.js', 'eslint.config.js'] },
  {
    files: ['packages/**/*.ts', 'packages/**/*.tsx', 'vitest.config.ts', 'vitest.e2e.config.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      // A forgotten await in a transaction loses data.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    // Pure codecs and FHIR helpers: no server, no database, no HTTP.
    files: ['packages/fhir/src/**/*.ts', 'packages/formats/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: SERVER_ONLY, patterns: ['**/server/**', '**/cli/**'] }] },
  },
  {
    // Only the database layer and the repositories speak to the database drivers.
    files: ['packages/server/src/**/*.ts'],
    ignores: ['packages/server/src/db/**', 'packages/server/src/test-support/**', 'packages/server/src/**/*.int.test.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ['pg', '@electric-sql/pglite'] }] },
  },
  {
    // The web app talks to the server over HTTP only: none of its code, nor the database drivers.
    files: ['packages/web/src/**/*.ts', 'packages/web/src/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', { paths: SERVER_ONLY, patterns: ['**/server/**', '**/cli/**', 'node:*'] }],
    },
  },
);
