import { defineConfig } from 'vite';
import { precompress } from './scripts/precompress.ts';

// Preact needs no plugin of its own: Vite's built-in Oxc transform compiles JSX for it.
export default defineConfig({
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  build: {
    target: 'es2022',
    // One small script and one stylesheet: no preload helper, no source maps shipped.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    // `npm run dev -w apps/web` next to a running API (`npm start`, port 8080).
    proxy: { '/api': process.env.API_URL ?? 'http://127.0.0.1:8080' },
  },
  plugins: [precompress()],
});
