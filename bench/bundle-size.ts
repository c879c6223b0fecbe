// Initial download of the web app: the entry script, its modulepreload links and stylesheet links in
// apps/web/dist/index.html, plus anything those chunks import statically (dynamic import() is lazy and
// not counted). Each file gzipped at level 9; sizes summed.
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BenchResult, isMain, printResult, ROOT, round } from './lib.ts';

const DIST = join(ROOT, 'apps', 'web', 'dist');
const TARGET_KB = 60;

function attr(tag: string, name: string): string | null {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? (m[1] ?? m[2] ?? m[3] ?? null) : null;
}

/** Static `import … from "./x.js"`, `import "./x.js"` and `export … from "./x.js"` in a built chunk. */
function staticImports(code: string): string[] {
  const found: string[] = [];
  const re = /(?:^|[;\s}])(?:import|export)\s*(?:[\w$*{},\s]+?\s*from\s*)?["']([^"']+\.(?:js|mjs|css))["']/g;
  for (const m of code.matchAll(re)) if (m[1]) found.push(m[1]);
  return found;
}

export async function run(): Promise<BenchResult> {
  const indexPath = join(DIST, 'index.html');
  if (!existsSync(indexPath)) throw new Error('apps/web/dist/index.html is missing: run `pnpm --filter @mc/web build`');
  const html = readFileSync(indexPath, 'utf8');
  const queue: string[] = [];
  for (const [tag] of html.matchAll(/<script\b[^>]*>/gi)) {
    const src = attr(tag, 'src');
    if (src && /type\s*=\s*["']?module/i.test(tag)) queue.push(src);
  }
  for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
    const rel = (attr(tag, 'rel') ?? '').toLowerCase();
    const href = attr(tag, 'href');
    if (href && (rel === 'modulepreload' || rel === 'stylesheet')) queue.push(href);
  }
  const files = new Map<string, { raw: number; gzip: number }>();
  while (queue.length) {
    const url = queue.shift() ?? '';
    const path = posix.normalize(url.replace(/^https?:\/\/[^/]+/, '').split('?')[0] ?? '');
    if (files.has(path)) continue;
    const file = join(DIST, path);
    if (!existsSync(file)) throw new Error(`${url} (referenced by the initial load) is not in apps/web/dist`);
    const buffer = readFileSync(file);
    files.set(path, { raw: buffer.length, gzip: gzipSync(buffer, { level: 9 }).length });
    if (path.endsWith('.js')) for (const spec of staticImports(buffer.toString('utf8'))) queue.push(posix.join(posix.dirname(path), spec));
  }
  const sum = (kind: 'js' | 'css', field: 'raw' | 'gzip') =>
    [...files].filter(([p]) => p.endsWith(`.${kind}`)).reduce((total, [, size]) => total + size[field], 0) / 1024;
  const totalGzip = sum('js', 'gzip') + sum('css', 'gzip');
  return {
    name: 'bundle-size',
    metrics: [
      { key: 'initialJsGzipKb', label: 'initial JS, gzip -9', value: round(sum('js', 'gzip'), 1), unit: 'KB' },
      { key: 'initialCssGzipKb', label: 'initial CSS, gzip -9', value: round(sum('css', 'gzip'), 1), unit: 'KB' },
      { key: 'initialGzipKb', label: 'initial JS+CSS, gzip -9', value: round(totalGzip, 1), unit: 'KB', target: `< ${TARGET_KB} KB`, pass: totalGzip < TARGET_KB },
      { key: 'initialRawKb', label: 'initial JS+CSS, uncompressed', value: round(sum('js', 'raw') + sum('css', 'raw'), 1), unit: 'KB' },
    ],
    notes: [`files: ${[...files].map(([p, s]) => `${posix.basename(p)} ${round(s.gzip / 1024, 1)} KB`).join(', ')}`],
  };
}

if (isMain(import.meta.url)) printResult(await run());
