import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The API and the app share one origin in production; in `vite dev` the API paths go to the server.
const API = process.env.UNICHART_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022', reportCompressedSize: false },
  server: {
    proxy: Object.fromEntries(['/fhir', '/auth', '/admin', '/oauth2', '/.well-known', '/healthz'].map((path) => [path, API])),
  },
});
