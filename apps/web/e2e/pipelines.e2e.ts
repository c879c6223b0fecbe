// Pipelines in the browser: an operator creates a template in the editor and starts a run; the run
// view shows the DAG and follows the run live as its step tasks are finished elsewhere; a step waiting
// for approval is rejected (retried) and approved from the run view; a viewer gets neither button.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TemplateCreateInput } from '../../../packages/api/src/pipelines/schema.ts';
import { startTestServer, TEST_ADMIN, type TestServer } from '../../server/src/testing/test-server.ts';
import { type BrowserSession, ensureWebBuild, launchBrowser, signIn } from './browser.ts';

const VIEWER = { username: 'vic', password: 'viewer-password-789' } as const;

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

  it('rejects and then approves a step waiting for approval from the run view; the run advances live', async () => {
    const { page } = browser;
    const someone = { kind: 'user', userId: 'test', username: 'someone-else', role: 'admin' } as const;
    await server.services.pipelines.createTemplate(
      someone,
      TemplateCreateInput.parse({ name: 'deploy', steps: [{ key: 'check', title: 'Check the canary', requiresApproval: true, retries: 1 }, { key: 'roll', title: 'Roll out', dependsOn: ['check'] }] }),
    );
    const run = await server.services.pipelines.startRun(someone, { template: 'deploy', variables: {} });
    const toReview = async () => {
      const current = await server.services.pipelines.getRun(run.id);
      await server.services.tasks.move(someone, { id: current.steps[0]?.task?.id ?? '', status: 'review' });
    };
    await toReview();
    await page.goto(`${server.url}/pipelines/runs/${run.id}`);
    const waiting = page.getByRole('listitem', { name: 'Step check: Awaiting approval' });
    await waiting.waitFor();
    await page.getByTestId('run-status').getByText('Awaiting approval').waitFor();
    expect(await page.getByRole('listitem', { name: /^Step roll/ }).getByRole('button').count()).toBe(0);

    // Reject: the attempt fails and, with a retry left, the step starts again as a new task.
    await waiting.getByRole('button', { name: 'Reject step check' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Reject step check?' });
    await dialog.getByText(/retried as a new task \(1 retry left\)/).waitFor();
    await dialog.getByLabel('Reason (optional)').fill('canary error rate too high');
    await dialog.getByRole('button', { name: 'Reject step' }).click();
    await dialog.waitFor({ state: 'detached' });
    const retried = page.getByRole('listitem', { name: 'Step check: In queue' });
    await retried.getByText('rejected by admin: canary error rate too high').waitFor();
    await retried.getByText('(attempt 2)').waitFor();
    expect(await retried.getByRole('button', { name: /^Approve/ }).count()).toBe(0);

    // The second attempt reaches review elsewhere; the view follows, and Approve advances the run.
    await toReview();
    await waiting.getByRole('button', { name: 'Approve step check' }).click();
    await page.getByRole('listitem', { name: 'Step check: Succeeded' }).waitFor();
    await page.getByRole('listitem', { name: 'Step roll: In queue' }).waitFor();
    await page.getByTestId('run-status').getByText('Running').waitFor();
    const approved = await server.services.pipelines.getRun(run.id);
    const history = (await server.services.tasks.byId(approved.steps[0]?.task?.id ?? '')).history;
    expect(history.at(-1)).toMatchObject({ kind: 'moved', actorName: TEST_ADMIN.username, changes: { status: { before: 'review', after: 'done' } } });
  });

  it('shows a viewer a step waiting for approval without Approve or Reject, on the run view and the home page', async () => {
    const { page } = browser;
    const someone = { kind: 'user', userId: 'test', username: 'someone-else', role: 'admin' } as const;
    await server.createUser({ ...VIEWER, role: 'viewer' });
    const run = await server.services.pipelines.startRun(someone, { template: 'deploy', variables: {} });
    await server.services.tasks.move(someone, { id: run.steps[0]?.task?.id ?? '', status: 'review' });
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByLabel('Username').waitFor();
    await signIn(page, server.url, VIEWER.username, VIEWER.password, `/pipelines/runs/${run.id}`);
    const waiting = page.getByRole('listitem', { name: 'Step check: Awaiting approval' });
    await waiting.waitFor();
    expect(await page.getByRole('button', { name: /^(Approve|Reject|Cancel run)/ }).count()).toBe(0);

    await page.goto(`${server.url}/`);
    const approval = page.getByRole('list', { name: 'Items needing attention' }).getByRole('listitem').filter({ hasText: 'Pipeline deploy waits for approval of step check' });
    await approval.getByRole('link', { name: 'Open run' }).waitFor();
    expect(await approval.getByRole('button', { name: /^Approve/ }).count()).toBe(0);
  });
});
