// Bundles the server (and the workspace packages it imports) into dist/main.js for a fast cold start,
// and the heartbeat worker thread into dist/heartbeat-worker.js.
// npm dependencies stay external and load from node_modules.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..', '..');

// The heartbeat worker thread's code sits next to main.js (heartbeat-worker-host.ts finds it there).
await build({
  entryPoints: { main: 'src/main.ts', 'heartbeat-worker': resolve(root, 'packages/api/src/agents/heartbeat-worker.ts') },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  packages: 'external',
  plugins: [
    {
      name: 'bundle-workspace-packages',
      setup(b) {
        // @mc/* are TypeScript sources in this repo: bundle them (via their package.json exports).
        b.onResolve({ filter: /^@mc\/(api|db)(\/.*)?$/ }, (args) => {
          const [, name, sub] = /^@mc\/(api|db)(\/.*)?$/.exec(args.path);
          const dir = resolve(root, 'packages', name);
          const exports = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).exports;
          const target = exports[sub ? `.${sub}` : '.'];
          if (!target) return { errors: [{ text: `${args.path} is not exported by packages/${name}` }] };
          return { path: resolve(dir, target) };
        });
      },
    },
  ],
  banner: { js: "import { createRequire as __mcCreateRequire } from 'node:module'; const require = __mcCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
