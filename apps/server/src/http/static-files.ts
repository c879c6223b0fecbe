// Serves the built web app: hashed /assets/* cached for a year, index.html never cached, SPA
// fallback for client routes. Files are read and gzipped once, at startup.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

type StaticFile = { body: Buffer; gzip: Buffer | null; type: string; immutable: boolean };

export type StaticSite = { available: boolean; serve(req: IncomingMessage, res: ServerResponse, path: string): boolean };

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

export function loadStaticSite(distDir: string): StaticSite {
  const files = new Map<string, StaticFile>();
  if (existsSync(join(distDir, 'index.html'))) {
    for (const full of walk(distDir)) {
      const urlPath = `/${relative(distDir, full).split('\\').join('/')}`;
      const body = readFileSync(full);
      const type = TYPES[extname(full)] ?? 'application/octet-stream';
      const compressible = /text|javascript|json|svg/.test(type) && body.length > 512;
      files.set(urlPath, { body, gzip: compressible ? gzipSync(body, { level: 9 }) : null, type, immutable: urlPath.startsWith('/assets/') });
    }
  }
  const index = files.get('/index.html');

  return {
    available: index !== undefined,
    serve(req, res, path) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      let file = files.get(path);
      // Client-side routes get index.html; missing assets are real 404s.
      if (!file && !path.startsWith('/assets/') && !extname(path)) file = index;
      if (!file) return false;
      const useGzip = file.gzip !== null && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
      const body = useGzip && file.gzip ? file.gzip : file.body;
      res.writeHead(200, {
        'content-type': file.type,
        'content-length': String(body.length),
        'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        vary: 'accept-encoding',
        ...(useGzip ? { 'content-encoding': 'gzip' } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    },
  };
}
