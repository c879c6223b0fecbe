// Builds the SPA into apps/web/dist (served by apps/server) and proxies the API in dev.
// CSP (ARCHITECTURE.md §5) forbids inline scripts, so Vite must not inject its
// modulepreload polyfill into index.html.
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

const apiOrigin = 'http://127.0.0.1:3200';

export default defineConfig({
  plugins: [solid()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
    modulePreload: { polyfill: false },
    rolldownOptions: {
      output: {
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
  server: {
    port: 5173,
    strictPort: true,
    // The server checks Origin against Host on WS upgrades and mutations, so keep
    // the browser's Host header (changeOrigin: false).
    proxy: {
      '/trpc': { target: apiOrigin, ws: true, changeOrigin: false },
      '/api': { target: apiOrigin, changeOrigin: false },
      '/healthz': { target: apiOrigin, changeOrigin: false },
    },
  },
  preview: { port: 4173 },
});
