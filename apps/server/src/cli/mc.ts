// `pnpm mc <command>`: operator commands. doctor — check a deployment; backup <file> — online backup.
import { existsSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { type Config, loadConfig, StartupError } from '../config.ts';
import { runDoctor } from './doctor.ts';

async function main(argv: string[]): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const [command, ...rest] = argv;
  if (command === 'doctor') {
    let config: Config;
    try {
      config = loadConfig(process.env, process.cwd(), { allowUnsafeBind: true });
    } catch (error) {
      process.stdout.write(`FAIL config: ${(error as Error).message}\n`);
      return 1;
    }
    const findings = await runDoctor(config);
    for (const f of findings) process.stdout.write(`${f.level.toUpperCase().padEnd(4)} ${f.check}: ${f.message}\n`);
    return findings.some((f) => f.level === 'fail') ? 1 : 0;
  }
  if (command === 'backup') {
    const target = rest[0];
    if (!target) {
      process.stderr.write('usage: pnpm mc backup <file>\n');
      return 2;
    }
    const config = loadConfig(process.env, process.cwd(), { allowUnsafeBind: true });
    const db = new BetterSqlite3(config.databaseFile, { fileMustExist: true });
    try {
      // SQLite's online backup API: consistent while the server keeps writing.
      await db.backup(target);
    } finally {
      db.close();
    }
    process.stdout.write(`backed up ${config.databaseFile} to ${target}\n`);
    return 0;
  }
  process.stderr.write('usage: pnpm mc doctor | pnpm mc backup <file>\n');
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof StartupError ? '' : 'error: '}${(error as Error).message}\n`);
    process.exit(1);
  },
);
