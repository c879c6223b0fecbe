// Task board in real browsers: a drag in one browser shows up in another, keyboard moves, filters
// in the URL, safe markdown, and a viewer who can neither move nor edit.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ADMIN, type TestServer } from '../../server/src/testing/test-server.ts';
import { type BrowserSession, ensureWebBuild, launchBrowser, signIn } from './browser.ts';

const column = (page: Page, name: string) => page.getByRole('region', { name, exact: true });
const card = (page: Page, title: string) => page.locator('.task-card', { hasText: title }).first();
async function columnOf(page: Page, title: string): Promise<string | null> {
  return card(page, title).evaluate((element) => element.closest('.board-column')?.getAttribute('data-status') ?? null);
}

describe('task board', () => {
  let server: TestServer;
  let first: BrowserSession;
  let second: BrowserSession;
  let admin: { kind: 'user'; userId: string; username: string; role: 'admin' };

  beforeAll(async () => {
    ensureWebBuild();
    server = await startTestServer();
    await server.createUser({ username: 'vera', password: 'viewer-password-123', role: 'viewer' });
    const seeded = await server.db.prisma.user.findFirstOrThrow({ where: { role: 'admin' } });
    admin = { kind: 'user', userId: seeded.id, username: seeded.username, role: 'admin' };
    [first, second] = await Promise.all([launchBrowser(), launchBrowser()]);
  });

  afterAll(async () => {
    await first?.close();
    await second?.close();
    await server?.close();
  });

  it('shows a card dragged in one browser moving in a second browser', async () => {
    await server.services.tasks.create(admin, { title: 'Drag me across', status: 'todo', priority: 'high' });
    await server.services.tasks.create(admin, { title: 'Already in progress', status: 'in_progress' });
    await Promise.all([
      signIn(first.page, server.url, TEST_ADMIN.username, TEST_ADMIN.password, '/tasks'),
      signIn(second.page, server.url, TEST_ADMIN.username, TEST_ADMIN.password, '/tasks'),
    ]);
    for (const { page } of [first, second]) {
      await card(page, 'Drag me across').waitFor();
      await page.getByRole('banner').getByRole('status').getByText('Live', { exact: true }).waitFor();
    }

    const page = first.page;
    const source = await card(page, 'Drag me across').boundingBox();
    const target = await column(page, 'In progress').boundingBox();
    if (!source || !target) throw new Error('no layout');
    await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
    await page.mouse.down();
    await page.mouse.move(source.x + source.width / 2 + 20, source.y + source.height / 2 + 5, { steps: 5 });
    await page.mouse.move(target.x + target.width / 2, target.y + target.height - 30, { steps: 15 });
    await page.mouse.up();

    await expect.poll(() => columnOf(first.page, 'Drag me across')).toBe('in_progress');
    await expect.poll(() => columnOf(second.page, 'Drag me across')).toBe('in_progress');
    await expect.poll(() => column(second.page, 'In progress').locator('.column-count').textContent()).toBe('2 tasks');
    const row = await server.db.prisma.task.findFirstOrThrow({ where: { title: 'Drag me across' } });
    expect(row.status).toBe('in_progress');
    expect(first.cspViolations).toEqual([]);
    expect(first.pageErrors).toEqual([]);
  });

  it('reorders a card within its column by dragging it above another', async () => {
    const top = await server.services.tasks.create(admin, { title: 'Reorder top', status: 'review' });
    await server.services.tasks.create(admin, { title: 'Reorder middle', status: 'review' });
    const bottom = await server.services.tasks.create(admin, { title: 'Reorder bottom', status: 'review' });
    const page = first.page;
    await card(page, 'Reorder bottom').waitFor();
    const source = await card(page, 'Reorder bottom').boundingBox();
    const target = await card(page, 'Reorder top').boundingBox();
    if (!source || !target) throw new Error('no layout');
    await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
    await page.mouse.down();
    await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2 - 20, { steps: 5 });
    await page.mouse.move(target.x + target.width / 2, target.y + 4, { steps: 15 });
    await page.mouse.up();
    const titles = (p: Page) => column(p, 'Review').locator('.task-card-title').allTextContents();
    const expected = [`#${bottom.number} Reorder bottom`, `#${top.number} Reorder top`];
    await expect.poll(async () => (await titles(page)).filter((t) => t.includes('Reorder')).slice(0, 2)).toEqual(expected);
    await expect.poll(async () => (await titles(second.page)).filter((t) => t.includes('Reorder')).slice(0, 2)).toEqual(expected);
    const ranks = await server.db.prisma.task.findMany({ where: { title: { startsWith: 'Reorder' } }, orderBy: { rank: 'asc' }, select: { title: true } });
    expect(ranks.map((r) => r.title)).toEqual(['Reorder bottom', 'Reorder top', 'Reorder middle']);
  });

  it('moves a card with the keyboard: Space picks up, arrows move, Space drops', async () => {
    const task = await server.services.tasks.create(admin, { title: 'Keyboard mover', status: 'backlog' });
    const page = first.page;
    await card(page, 'Keyboard mover').waitFor();
    await card(page, 'Keyboard mover').focus();
    await page.keyboard.press('Space');
    await page.getByRole('status').filter({ hasText: 'Picked up' }).waitFor();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
    await expect.poll(() => columnOf(page, 'Keyboard mover')).toBe('todo');
    await expect.poll(async () => (await server.services.tasks.byId(task.id)).task.status).toBe('todo');
    await expect.poll(() => columnOf(second.page, 'Keyboard mover')).toBe('todo');

    // Escape puts it back where it was, and nothing is sent.
    await card(page, 'Keyboard mover').focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Escape');
    await expect.poll(() => columnOf(page, 'Keyboard mover')).toBe('todo');
    expect((await server.services.tasks.byId(task.id)).task.version).toBe(2);
  });

  it('shows the cost reported against a task on its card, live, with unpriced usage flagged', async () => {
    const { agent } = await server.services.agents.register(admin, { name: 'cost-agent' });
    const task = await server.services.tasks.create(admin, { title: 'Costly work', status: 'in_progress', assigneeAgentId: agent.id });
    const page = first.page;
    await card(page, 'Costly work').waitFor();
    expect(await card(page, 'Costly work').locator('.task-cost').count()).toBe(0);
    await server.services.usage.reportTokens(admin, [
      { model: 'claude-sonnet-4-5-20250929', inputTokens: 100_000, outputTokens: 100_000, taskId: String(task.number), agent: 'cost-agent' },
      { model: 'an-unknown-model', inputTokens: 10, outputTokens: 10, taskId: task.id, agent: 'cost-agent' },
    ] as never);
    await card(page, 'Costly work').locator('.task-cost', { hasText: '$1.80 + 1 unpriced' }).waitFor();
  });

  it('keeps filters in the URL so a view can be shared', async () => {
    await server.services.tasks.create(admin, { title: 'Critical parser fix', status: 'todo', priority: 'critical', labels: ['parser'] });
    const page = first.page;
    await card(page, 'Critical parser fix').waitFor();
    await page.getByLabel('Priority', { exact: true }).selectOption('critical');
    await expect.poll(() => new URL(page.url()).searchParams.get('priority')).toBe('critical');
    await expect.poll(() => page.locator('.task-card').count()).toBe(1);
    await second.page.goto(page.url());
    await card(second.page, 'Critical parser fix').waitFor();
    await expect.poll(() => second.page.locator('.task-card').count()).toBe(1);
    await page.goto(`${server.url}/tasks`);
    await second.page.goto(`${server.url}/tasks`);
  });

  it('renders markdown and neutralises scripts in descriptions', async () => {
    const description = '**bold words**\n\n<script>window.__pwned = 1</script><img src="x" onerror="window.__pwned = 2">\n\n[click](javascript:window.__pwned=3)';
    const task = await server.services.tasks.create(admin, { title: 'Markdown check', description, status: 'inbox' });
    const page = first.page;
    await page.goto(`${server.url}/tasks?task=${task.number}`);
    const dialog = page.getByRole('dialog', { name: `#${task.number} Markdown check` });
    await dialog.locator('.task-description strong', { hasText: 'bold words' }).waitFor();
    expect(await dialog.locator('.task-description script, .task-description img, .task-description [onerror]').count()).toBe(0);
    const href = await dialog.locator('.task-description a').getAttribute('href').catch(() => null);
    expect(href ?? '').not.toMatch(/^javascript:/i);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(first.pageErrors).toEqual([]);
  });

  it('shows the second writer a conflict instead of losing an update', async () => {
    const task = await server.services.tasks.create(admin, { title: 'Contended title', status: 'todo' });
    const page = first.page;
    await page.goto(`${server.url}/tasks?task=${task.number}`);
    await page.getByRole('dialog', { name: `#${task.number} Contended title` }).getByRole('button', { name: 'Edit task' }).click();
    const form = page.getByRole('dialog', { name: `Edit #${task.number}` });
    await form.getByLabel('Title', { exact: true }).fill('My edit');
    // Someone else saves first.
    await server.services.tasks.update(admin, { id: task.id, expectedVersion: 1, title: 'Their edit' });
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.getByRole('alert').getByText(/changed by someone else/).waitFor();
    expect((await server.services.tasks.byId(task.id)).task.title).toBe('Their edit');
    await form.getByRole('button', { name: 'Load latest version' }).click();
    await expect.poll(() => form.getByLabel('Title', { exact: true }).inputValue()).toBe('Their edit');
    await form.getByLabel('Title', { exact: true }).fill('Merged edit');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(async () => (await server.services.tasks.byId(task.id)).task.title).toBe('Merged edit');
    await page.getByRole('dialog', { name: `#${task.number} Merged edit` }).getByRole('button', { name: 'Close' }).click();
  });

  it('keeps archived done tasks off the board and finds them in the archive search', async () => {
    const task = await server.services.tasks.create(admin, { title: 'Old finished work', status: 'done' });
    await server.db.prisma.task.update({ where: { id: task.id }, data: { completedAt: new Date(Date.now() - 30 * 86_400_000) } });
    expect(await server.services.tasks.archiveDone()).toBe(1);
    const page = first.page;
    await page.goto(`${server.url}/tasks`);
    await column(page, 'Done').waitFor();
    expect(await card(page, 'Old finished work').count()).toBe(0);
    await page.getByText('Archive', { exact: true }).click();
    await page.getByRole('button', { name: 'Search archived tasks' }).click();
    await page.getByRole('list', { name: 'Archived tasks' }).getByText(`#${task.number} Old finished work`).waitFor();
  });

  it('gives a viewer a read-only board: no drag, no keyboard move, no edit', async () => {
    const task = await server.services.tasks.create(admin, { title: 'Viewer cannot move', status: 'todo' });
    const page = second.page;
    await page.getByRole('button', { name: 'Sign out' }).click();
    // The sign-out request must finish (cookie cleared) before the next navigation.
    await page.getByLabel('Username').waitFor();
    await signIn(page, server.url, 'vera', 'viewer-password-123', '/tasks');
    await card(page, 'Viewer cannot move').waitFor();
    expect(await page.getByRole('button', { name: 'New task' }).count()).toBe(0);
    expect(await card(page, 'Viewer cannot move').getAttribute('aria-roledescription')).toBeNull();

    const source = await card(page, 'Viewer cannot move').boundingBox();
    const target = await column(page, 'Review').boundingBox();
    if (!source || !target) throw new Error('no layout');
    await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
    await page.mouse.down();
    await page.mouse.move(target.x + target.width / 2, target.y + 60, { steps: 10 });
    await page.mouse.up();
    await card(page, 'Viewer cannot move').focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
    expect(await columnOf(page, 'Viewer cannot move')).toBe('todo');
    expect((await server.services.tasks.byId(task.id)).task).toMatchObject({ status: 'todo', version: 1 });

    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `#${task.number} Viewer cannot move` });
    await dialog.getByText('History').waitFor();
    expect(await dialog.getByRole('button', { name: 'Edit task' }).count()).toBe(0);
    expect(await dialog.getByLabel('Add a comment').count()).toBe(0);
    // The API refuses too, whatever the UI shows.
    const cookie = await server.login('vera', 'viewer-password-123');
    const response = await fetch(`${server.url}/trpc/tasks.move`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ id: task.id, status: 'done' }),
    });
    expect(response.status).toBe(403);
    expect(second.cspViolations).toEqual([]);
  });
});
