// Builds the published package: tsc (ESM + .d.ts, tsconfig.build.json), the server router's types
// flattened into client/app-router.d.ts (router-types.ts), the bin made executable. Refuses output that
// still mentions a private workspace package, so `npm i @mc/agent-sdk` needs nothing private.
//
//   node --import tsx scripts/build.ts [--out <dir>]     default: dist/ of this package
// The output is built aside and swapped in at the end, so concurrent builds in one checkout (several
// people running the tests) never see or pack a half-written dist.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitRouterTypes } from './router-types.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const apiDir = join(packageDir, '..', 'api');
const outFlag = process.argv.indexOf('--out');
const out = resolve(outFlag === -1 ? join(packageDir, 'dist') : (process.argv[outFlag + 1] ?? 'dist'));
const staging = join(dirname(out), `.${randomBytes(4).toString('hex')}-building`);

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function fail(message: string): never {
  rmSync(staging, { recursive: true, force: true });
  console.error(message);
  process.exit(1);
}

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(packageDir, 'tsconfig.build.json'), '--outDir', staging], { stdio: 'inherit' });
if (compiled.status !== 0) fail(`tsc failed (exit ${compiled.status})`);

writeFileSync(
  join(staging, 'client', 'app-router.d.ts'),
  emitRouterTypes({ routerFile: join(apiDir, 'src', 'router.ts'), tsconfigFile: join(apiDir, 'tsconfig.json') }),
);
chmodSync(join(staging, 'cli', 'main.js'), 0o755);

const leaks = filesUnder(staging).filter((file) => /(from\s+|import\(\s*|require\(\s*)['"]@mc\/(?!agent-sdk)/.test(readFileSync(file, 'utf8')));
if (leaks.length > 0) fail(`the build imports private workspace packages:\n${leaks.join('\n')}`);

const previous = `${staging}-previous`;
try {
  renameSync(out, previous);
} catch {
  // first build: nothing to replace
}
renameSync(staging, out);
rmSync(previous, { recursive: true, force: true });
console.log(`built ${filesUnder(out).length} files into ${out}`);
