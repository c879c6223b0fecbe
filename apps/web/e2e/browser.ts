// Shared e2e setup: Debian's chromium through playwright-core (installed with apt when
// missing, since Playwright's own download does not work here), a fresh profile per launch,
// a current apps/web/dist for the test server to serve, and CSP-violation capture.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const webRoot = resolve(import.meta.dirname, '..');

function runAsRoot(command: string, args: string[]): void {
  const isRoot = process.getuid?.() === 0;
  const [file, fileArgs] = isRoot ? [command, args] : ['sudo', ['-n', command, ...args]];
  execFileSync(file, fileArgs, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/** Installs Debian's chromium on a fresh machine (CI); a no-op when it is already there. */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  runAsRoot('apt-get', ['update']);
  runAsRoot('apt-get', ['install', '-y', '--no-install-recommends', 'chromium']);
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`apt-get installed chromium but ${CHROMIUM_PATH} is missing`);
}

function newestModification(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestModification(join(path, name))), 0);
}

/** The server serves apps/web/dist read at startup: rebuild it when the sources are newer. */
export function ensureWebBuild(): void {
  const builtIndex = join(webRoot, 'dist', 'index.html');
  const sources = ['src', 'public', 'index.html', 'vite.config.ts'].map((name) => join(webRoot, name));
  const newestSource = Math.max(...sources.filter((path) => existsSync(path)).map(newestModification));
  if (existsSync(builtIndex) && statSync(builtIndex).mtimeMs >= newestSource) return;
  const viteBin = join(webRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  execFileSync(process.execPath, [viteBin, 'build', '--logLevel', 'warn'], { cwd: webRoot, stdio: 'inherit' });
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Console errors about the Content-Security-Policy (inline styles or scripts the server blocks). */
  cspViolations: string[];
  /** Uncaught page errors. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<BrowserSession> {
  ensureChromium();
  const userDataDir = mkdtempSync(join(tmpdir(), 'mc-e2e-profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    // --headless=new comes from the args; Playwright's own flag would add another --headless.
    headless: false,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return {
    context,
    page,
    cspViolations,
    pageErrors,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the real form and waits for the signed-in header. */
export async function signIn(page: Page, baseUrl: string, username: string, password: string, path = '/'): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
}

/**
 * Emulates the tab being hidden or shown. Headless Chromium keeps every page visible, so this
 * overrides document.visibilityState/hidden and dispatches visibilitychange: the exact inputs
 * the live store reads.
 */
export async function setPageVisibility(page: Page, visibility: 'hidden' | 'visible'): Promise<void> {
  await page.evaluate((state) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => state === 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  }, visibility);
}
