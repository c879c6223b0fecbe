// Entry point: load .env and config, start the server, print the setup link, stop on SIGTERM/SIGINT.
import { existsSync } from 'node:fs';
import { pino } from 'pino';
import { startServer } from './app.ts';
import { loadConfig, StartupError } from './config.ts';

async function main() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  const log = pino({
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', '*.password', '*.token', '*.secret', 'secret', 'token'], censor: '[redacted]' },
  });
  const started = performance.now();
  const server = await startServer(config, { log });
  log.info({ url: server.url, ms: Math.round(performance.now() - started) }, 'Mission Control is ready');
  if (server.setupUrl) {
    // Printed once per start while no user exists; the link stops working when the admin is created.
    process.stdout.write(`\nNo admin exists yet. Create one here (one-time link):\n  ${server.setupUrl}\n\n`);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const known = error instanceof StartupError || (error instanceof Error && /Database|Migration/.test(error.name));
  process.stderr.write(`\nMission Control could not start: ${message}\n${known ? '' : `${(error as Error)?.stack ?? ''}\n`}`);
  process.exit(1);
});
