/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The local stack (`make run`) serves the API and the built app on one port; `npm run dev` proxies the API to it.
const apiTarget = process.env.PATCHMON_API ?? 'http://localhost:8000';

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      // The Host header stays `localhost:5173`, which the API maps to the default organisation as it does `localhost:8000`.
      '/api': { target: apiTarget, ws: true },
    },
  },
  build: {
    target: 'es2022',
    // Off by default to keep the deployed build small; `VITE_SOURCEMAP=true npm run build` to debug a production bundle.
    sourcemap: process.env.VITE_SOURCEMAP === 'true',
    // Recharts (~360 kB, ~105 kB gzip) is the one large chunk; it loads only when a chart card is shown.
    chunkSizeWarningLimit: 400,
    rolldownOptions: {
      output: {
        // Libraries in their own long-cached chunks, so a deployment that changes only app code re-downloads only that.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router|cookie|set-cookie-parser)[\\/]/ },
            { name: 'mantine', test: /node_modules[\\/](@mantine|@floating-ui|react-remove-scroll|react-remove-scroll-bar|react-style-singleton|use-callback-ref|use-sidecar|get-nonce|tslib|clsx|react-number-format|react-textarea-autosize)[\\/]/ },
            { name: 'query', test: /node_modules[\\/]@tanstack[\\/]/ },
            { name: 'forms', test: /node_modules[\\/](react-hook-form|@hookform|zod|@standard-schema)[\\/]/ },
          ],
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    css: false,
    restoreMocks: true,
    // Component tests load lazy route chunks; a shared CI machine can take seconds for the first one.
    testTimeout: 20_000,
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
