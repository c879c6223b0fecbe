// Pipelines in the browser: an operator creates a template in the editor and starts a run; the run
// view shows the DAG and follows the run live as its step tasks are finished elsewhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ADMIN, type TestServer } from '../../server/src/testing/test-server.ts';
import { type BrowserSession, ensureWebBuild, launchBrowser, signIn } from './browser.ts';

describe('pipelines pages', () => {
  let server: TestServer;
  let browser: BrowserSession;

  beforeAll(async () => {
    ensureWebBuild();
    server = await startTestServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('creates a template, starts a run with variables, and shows each step update live in the DAG', async () => {
    const { page } = browser;
    await signIn(page, server.url, TEST_ADMIN.username, TEST_ADMIN.password, '/pipelines');
    await page.getByRole('heading', { name: 'Pipelines', level: 1 }).waitFor();

    await page.getByRole('button', { name: 'New template' }).click();
    const editor = page.getByRole('dialog', { name: 'New pipeline template' });
    await editor.waitFor();
    await editor.getByLabel('Name', { exact: true }).fill('release');
    await editor.getByRole('button', { name: 'Add variable' }).click();
    await editor.getByLabel('Variable 1 name').fill('version');
    await editor.getByLabel('Step 1 key').fill('build');
    await editor.getByLabel('Step 1 title').fill('Build {{version}}');
    await editor.getByRole('button', { name: 'Add step' }).click();
    await editor.getByLabel('Step 2 key').fill('ship');
    await editor.getByLabel('Step 2 title').fill('Ship {{version}}');
    await editor.getByLabel('Step 2 needs approval').check();
    await editor.getByRole('button', { name: 'Save template' }).click();
    await editor.waitFor({ state: 'detached' });
    const row = page.getByRole('row', { name: /release/ });
    await row.waitFor();

    await page.getByRole('button', { name: 'Start run of release' }).click();
    const start = page.getByRole('dialog', { name: 'Start release' });
    await start.getByRole('button', { name: 'Start run' }).click();
    await start.getByText('missing variables: version').waitFor();
    await start.getByLabel('version').fill('1.4.0');
    await start.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/pipelines\/runs\//);
    const runId = page.url().split('/').at(-1) ?? '';

    const build = page.getByRole('listitem', { name: /^Step build/ });
    const ship = page.getByRole('listitem', { name: /^Step ship/ });
    await build.getByText('Build 1.4.0').waitFor();
    await page.getByRole('listitem', { name: 'Step build: In queue' }).waitFor();
    await page.getByRole('listitem', { name: 'Step ship: Pending' }).waitFor();
    expect(await ship.getByText('needs approval').count()).toBe(1);

    // Finished elsewhere (another operator on the board): the run view follows without a reload.
    const admin = { kind: 'user', userId: 'test', username: 'someone-else', role: 'admin' } as const;
    const run = await server.services.pipelines.getRun(runId);
    await server.services.tasks.move(admin, { id: run.steps[0]?.task?.id ?? '', status: 'done' });
    await page.getByRole('listitem', { name: 'Step build: Succeeded' }).waitFor();
    await page.getByRole('listitem', { name: 'Step ship: In queue' }).waitFor();
    await ship.getByRole('link', { name: /^#\d+$/ }).waitFor();

    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.getByRole('alertdialog', { name: 'Cancel this run?' }).getByRole('button', { name: 'Cancel run' }).click();
    await page.getByTestId('run-status').getByText('Cancelled').waitFor();
    await page.getByRole('listitem', { name: 'Step ship: Cancelled' }).waitFor();

    await page.getByRole('link', { name: '← Pipelines' }).click();
    await row.getByRole('button', { name: 'release', exact: true }).click();
    await page.getByRole('heading', { name: 'Runs of release' }).waitFor();
    await page.getByRole('row', { name: /Cancelled/ }).waitFor();
  });
});
