// Builds the published package into dist/: tsc (ESM + .d.ts, tsconfig.build.json), the server router's
// types flattened into dist/client/app-router.d.ts (router-types.ts), the bin made executable. Refuses a
// dist that still mentions a private workspace package, so `npm i @mc/agent-sdk` needs nothing private.

import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitRouterTypes } from './router-types.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const dist = join(packageDir, 'dist');
const apiDir = join(packageDir, '..', 'api');

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(packageDir, 'tsconfig.build.json')], { stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

writeFileSync(
  join(dist, 'client', 'app-router.d.ts'),
  emitRouterTypes({ routerFile: join(apiDir, 'src', 'router.ts'), tsconfigFile: join(apiDir, 'tsconfig.json') }),
);
chmodSync(join(dist, 'cli', 'main.js'), 0o755);

const leaks = filesUnder(dist).filter((file) => /(from\s+|import\(\s*|require\(\s*)['"]@mc\/(?!agent-sdk)/.test(readFileSync(file, 'utf8')));
if (leaks.length > 0) {
  console.error(`dist imports private workspace packages:\n${leaks.join('\n')}`);
  process.exit(1);
}
console.log(`built ${filesUnder(dist).length} files into ${dist}`);
