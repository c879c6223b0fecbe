// Pipelines service with real SQLite, a fake clock and the scheduler listening on the bus: runs
// advance as agents claim and finish step tasks through the board's own service calls.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentActor } from '../auth/roles.ts';
import { DomainError } from '../errors.ts';
import { TaskPatchBody } from '../tasks/schema.ts';
import { createTaskHarness, type TaskHarness } from '../tasks/test-harness.ts';
import type { TemplateCreateInput } from './schema.ts';
import { TemplateCreateInput as TemplateSchema } from './schema.ts';

let h: TaskHarness;
let stop: () => Promise<void>;
beforeEach(async () => {
  h = await createTaskHarness({ rateLimits: { heartbeatPerAgentPerMin: 0, connectPerAgentPerMin: 0, tokensPerKeyPerMin: 0, queuePerAgentPerMin: 0 } });
  stop = h.services.pipelines.startScheduler({ tickMs: 3_600_000 });
});
afterEach(async () => {
  await stop();
  await h.close();
});

const p = () => h.services.pipelines;
const template = (input: Partial<TemplateCreateInput> & Pick<TemplateCreateInput, 'steps'>) =>
  p().createTemplate(h.operator, TemplateSchema.parse({ name: 'delivery', ...input }));
const claim = async (agent: AgentActor, name: string) => (await h.services.tasks.claimNext(agent, { agent: name, maxCapacity: 1 })).task;
const settle = () => p().idle();
const patch = (agent: AgentActor, id: string, body: Record<string, unknown>) => h.services.tasks.patch(agent, id, TaskPatchBody.parse(body));
async function refused(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}
const threeSteps: TemplateCreateInput['steps'] = TemplateSchema.parse({
  name: 'x',
  steps: [
    { key: 'spec', title: 'Spec {{feature}}', description: 'Write the spec for {{feature}}' },
    { key: 'implement', title: 'Implement {{feature}}', dependsOn: ['spec'] },
    { key: 'review', title: 'Review {{feature}}', dependsOn: ['implement'], requiresApproval: true },
  ],
}).steps;

describe('pipeline runs', () => {
  it('hands each step to the queue only when its dependencies are done, waits for approval, and completes', async () => {
    const agent = await h.agent('builder');
    const t = await template({ steps: threeSteps, variables: [{ name: 'feature' }] });
    const run = await p().startRun(h.operator, { template: 'delivery', variables: { feature: 'search' } });
    expect(run).toMatchObject({ status: 'running', version: 1, trigger: 'manual', variables: { feature: 'search' } });
    expect(run.steps.map((s) => [s.key, s.status, s.depth])).toEqual([['spec', 'ready', 0], ['implement', 'pending', 1], ['review', 'pending', 2]]);

    const spec = await claim(agent, 'builder');
    expect(spec).toMatchObject({ title: 'Spec search', labels: ['pipeline'], autoDone: true });
    expect(spec?.description).toMatch(/^Write the spec for search\n\n---\nPipeline "delivery" run /);
    await settle();
    expect((await p().getRun(run.id)).steps[0]).toMatchObject({ status: 'running', agent: { name: 'builder' } });
    h.clock.advanceBy(60_000);
    await patch(agent, spec?.id ?? '', { status: 'review', comment: 'spec written' });
    await settle();
    let view = await p().getRun(run.id);
    expect(view.steps.map((s) => s.status)).toEqual(['succeeded', 'ready', 'pending']);
    expect(view.steps[0]).toMatchObject({ durationMs: 60_000, task: { status: 'done' } });

    const impl = await claim(agent, 'builder');
    expect(impl?.title).toBe('Implement search');
    await patch(agent, impl?.id ?? '', { status: 'done' });
    await settle();
    const review = await claim(agent, 'builder');
    expect(review).toMatchObject({ title: 'Review search', autoDone: false });
    await patch(agent, review?.id ?? '', { status: 'review' });
    await settle();
    view = await p().getRun(run.id);
    expect(view.status).toBe('waiting_approval');
    expect(view.steps[2]?.status).toBe('waiting_approval');
    // The attention view shows it as an approval of this run, not as a plain review task.
    const approvalItems = (await h.services.attention.list(h.operator)).items.filter((i) => i.kind === 'pipeline.approval');
    expect(approvalItems).toMatchObject([{ title: 'Pipeline delivery waits for approval of step review', href: `/pipelines/runs/${run.id}`, actionLabel: 'Open run', approve: { runId: run.id, stepKey: 'review' } }]);
    expect(await refused(patch(agent, review?.id ?? '', { status: 'done' }))).toMatchObject({ code: 'FORBIDDEN' });

    h.clock.advanceBy(30_000);
    await h.services.tasks.move(h.operator, { id: review?.id ?? '', status: 'done' });
    await settle();
    view = await p().getRun(run.id);
    expect(view).toMatchObject({ status: 'succeeded', durationMs: 90_000 });
    const types = h.published.filter((e) => e.type.startsWith('pipeline.') && e.type !== 'pipeline.step.updated' && e.type !== 'pipeline.run.updated').map((e) => e.type);
    expect(types).toEqual(['pipeline.run.started', 'pipeline.step.completed', 'pipeline.step.completed', 'pipeline.step.completed', 'pipeline.run.completed']);
    expect(h.published.find((e) => e.type === 'pipeline.run.completed')?.payload).toMatchObject({ runId: run.id, templateId: t.id, templateName: 'delivery', status: 'succeeded' });
  });

  it('creates the task of a joining step only after both branches are done, with task dependencies on both', async () => {
    await template({
      steps: TemplateSchema.parse({ name: 'x', steps: [{ key: 'a', title: 'A' }, { key: 'b', title: 'B' }, { key: 'join', title: 'Join', dependsOn: ['a', 'b'] }] }).steps,
    });
    const run = await p().startRun(h.operator, { template: 'delivery', variables: {} });
    const [a, b] = run.steps;
    await h.services.tasks.move(h.operator, { id: a?.task?.id ?? '', status: 'done' });
    await settle();
    expect((await p().getRun(run.id)).steps[2]?.status).toBe('pending');
    await h.services.tasks.move(h.operator, { id: b?.task?.id ?? '', status: 'done' });
    await settle();
    const join = (await p().getRun(run.id)).steps[2];
    expect(join?.status).toBe('ready');
    const detail = await h.services.tasks.byId(join?.task?.id ?? '');
    expect(detail.dependsOn.map((d) => d.id).sort()).toEqual([a?.task?.id, b?.task?.id].sort());
  });

  it('retries a failed step as a new task, then fails the run with the reason and closes its other open tasks', async () => {
    const agent = await h.agent('flaky');
    await h.agent('writer');
    await template({
      steps: TemplateSchema.parse({ name: 'x', steps: [{ key: 'build', title: 'Build', retries: 1, agent: 'flaky' }, { key: 'docs', title: 'Docs', agent: 'writer' }] }).steps,
    });
    const run = await p().startRun(h.operator, { template: 'delivery', variables: {} });
    const first = await claim(agent, 'flaky');
    expect(first?.title).toBe('Build');
    await patch(agent, first?.id ?? '', { status: 'todo', comment: 'compiler crashed' });
    await settle();
    let view = await p().getRun(run.id);
    expect(view.steps[0]).toMatchObject({ status: 'ready', attempt: 2, lastError: 'the agent reported failure' });
    const old = await h.services.tasks.byId(first?.id ?? '');
    expect(old.task).toMatchObject({ status: 'done', outcome: 'failed' });
    expect(old.comments.at(-1)?.body).toBe('Attempt 1 of 2 failed: the agent reported failure. Retrying as a new task.');

    const second = await claim(agent, 'flaky');
    expect(second?.id).not.toBe(first?.id);
    expect(second?.description).toMatch(/attempt 2 of 2/);
    await patch(agent, second?.id ?? '', { status: 'todo', outcome: 'failed' });
    await settle();
    view = await p().getRun(run.id);
    expect(view).toMatchObject({ status: 'failed', failureReason: 'step "build" failed after 2 attempts: the agent reported failure' });
    expect(view.steps.map((s) => s.status)).toEqual(['failed', 'cancelled']);
    const docs = await h.services.tasks.byId(view.steps[1]?.task?.id ?? '');
    expect(docs.task).toMatchObject({ status: 'done', outcome: 'failed' });
    expect(docs.comments.at(-1)?.body).toMatch(/^Pipeline run failed: step "build" failed after 2 attempts/);
    expect(h.published.filter((e) => e.type === 'pipeline.run.failed')).toHaveLength(1);
    expect(await claim(agent, 'flaky')).toBeNull();
  });

  it('retries a step that stays in progress past its timeout (fake clock, on the tick)', async () => {
    const agent = await h.agent('slow');
    await template({ steps: TemplateSchema.parse({ name: 'x', steps: [{ key: 'slow', title: 'Slow', timeoutS: 600, retries: 1 }] }).steps });
    const run = await p().startRun(h.operator, { template: 'delivery', variables: {} });
    h.clock.advanceBy(3_600_000); // waiting in the queue does not count
    await p().tick();
    expect((await p().getRun(run.id)).steps[0]?.attempt).toBe(1);
    await claim(agent, 'slow');
    h.clock.advanceBy(599_000);
    await p().tick();
    expect((await p().getRun(run.id)).steps[0]?.attempt).toBe(1);
    h.clock.advanceBy(1_000);
    await p().tick();
    expect((await p().getRun(run.id)).steps[0]).toMatchObject({ attempt: 2, status: 'ready', lastError: 'timed out after 600 s in progress' });
    await claim(agent, 'slow');
    h.clock.advanceBy(600_000);
    await p().tick();
    expect(await p().getRun(run.id)).toMatchObject({ status: 'failed', failureReason: 'step "slow" failed after 2 attempts: timed out after 600 s in progress' });
  });

  it('cancels a run mid-way: open tasks closed with a comment, pending steps cancelled, nothing more scheduled', async () => {
    const agent = await h.agent('worker');
    await template({ steps: threeSteps, variables: [{ name: 'feature', default: 'login' }] });
    const run = await p().startRun(h.operator, { template: 'delivery', variables: {} });
    const spec = await claim(agent, 'worker');
    const cancelled = await p().cancelRun(h.operator, run.id, 'priorities changed');
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.steps.map((s) => s.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    const detail = await h.services.tasks.byId(spec?.id ?? '');
    expect(detail.task.status).toBe('done');
    expect(detail.comments.at(-1)?.body).toBe('Pipeline run cancelled by operator-person: priorities changed');
    await settle();
    expect((await p().getRun(run.id)).steps[1]?.task).toBeNull();
    expect(await refused(p().cancelRun(h.operator, run.id))).toMatchObject({ code: 'CONFLICT' });
  });

  it('keeps a started run on its version when the template is edited', async () => {
    await template({ steps: threeSteps, variables: [{ name: 'feature', default: 'x' }] });
    const run = await p().startRun(h.operator, { template: 'delivery', variables: {} });
    const edited = await p().updateTemplate(h.operator, { id: 'delivery', description: '', variables: [], steps: TemplateSchema.parse({ name: 'x', steps: [{ key: 'only', title: 'Only' }] }).steps });
    expect(edited.version).toBe(2);
    await h.services.tasks.move(h.operator, { id: run.steps[0]?.task?.id ?? '', status: 'done' });
    await settle();
    const view = await p().getRun(run.id);
    expect(view.version).toBe(1);
    expect(view.steps.map((s) => [s.key, s.status])).toEqual([['spec', 'succeeded'], ['implement', 'ready'], ['review', 'pending']]);
    const next = await p().startRun(h.operator, { template: 'delivery', variables: {} });
    expect(next.steps.map((s) => s.key)).toEqual(['only']);
  });

  it('recovers after missing events: reconcile re-derives the run from the database', async () => {
    await stop();
    await template({ steps: threeSteps, variables: [{ name: 'feature', default: 'x' }] });
    const run = await p().startRun(h.operator, { template: 'delivery', variables: {} });
    await h.services.tasks.move(h.operator, { id: run.steps[0]?.task?.id ?? '', status: 'done' });
    expect((await p().getRun(run.id)).steps[1]?.status).toBe('pending'); // nobody listened
    expect(await p().reconcile()).toBe(1);
    expect((await p().getRun(run.id)).steps.map((s) => s.status)).toEqual(['succeeded', 'ready', 'pending']);
    await p().reconcile();
    expect((await h.db.prisma.task.count())).toBe(2); // idempotent: no duplicate task
    stop = p().startScheduler({ tickMs: 3_600_000 });
  });
});

describe('pipeline approvals', () => {
  const approvalSteps = (retries: number) =>
    TemplateSchema.parse({ name: 'x', steps: [{ key: 'build', title: 'Build' }, { key: 'ship', title: 'Ship', requiresApproval: true, retries, dependsOn: ['build'] }, { key: 'announce', title: 'Announce', dependsOn: ['ship'] }] }).steps;
  /** A run whose "ship" step waits for approval (its task in review); returns the run id and that task. */
  async function waitingRun(retries = 0) {
    const agent = await h.agent(`shipper-${retries}`);
    await template({ name: `release-${retries}`, steps: approvalSteps(retries).map((s) => (s.key === 'ship' ? { ...s, agent: `shipper-${retries}` } : s)) });
    const run = await p().startRun(h.operator, { template: `release-${retries}`, variables: {} });
    await h.services.tasks.move(h.operator, { id: run.steps[0]?.task?.id ?? '', status: 'done' });
    await settle();
    const ship = (await p().getRun(run.id)).steps[1]?.task;
    await patch(agent, ship?.id ?? '', { status: 'in_progress' });
    await patch(agent, ship?.id ?? '', { status: 'review' });
    await settle();
    expect((await p().getRun(run.id)).steps[1]?.status).toBe('waiting_approval');
    return { runId: run.id, task: ship as NonNullable<typeof ship>, agent };
  }

  it('approve moves the step task to done as the board does: same events, the run advances and the attention item goes', async () => {
    const { runId, task } = await waitingRun();
    expect((await h.services.attention.list(h.operator)).items.filter((i) => i.kind === 'pipeline.approval')).toHaveLength(1);
    const from = h.published.length;
    const view = await p().approveStep(h.operator, { runId, stepKey: 'ship', comment: 'looks good' });
    expect(view.status).toBe('running');
    expect(view.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'ready']);
    await settle(); // the scheduler's own pass on task.moved finds nothing left to do
    const types = h.published.slice(from).map((e) => e.type);
    expect(types).toEqual(['task.commented', 'task.moved', 'pipeline.step.completed', 'task.created', 'pipeline.step.updated', 'pipeline.run.updated']);
    expect(h.published.slice(from).find((e) => e.type === 'task.moved')?.payload).toMatchObject({ taskId: task.id, from: 'review', to: 'done' });
    const detail = await h.services.tasks.byId(task.id);
    expect(detail.task).toMatchObject({ status: 'done', outcome: 'success' });
    expect(detail.comments.at(-1)).toMatchObject({ body: 'looks good', actorName: 'operator-person' });
    expect(detail.history.at(-1)).toMatchObject({ kind: 'moved', actorName: 'operator-person' });
    expect((await h.services.attention.list(h.operator)).items.filter((i) => i.kind === 'pipeline.approval')).toEqual([]);
    const audit = await h.services.audit.list({ action: 'pipelines.step', limit: 5 });
    expect(audit[0]).toMatchObject({ action: 'pipelines.step.approved', actorName: 'operator-person', targetId: runId, details: { stepKey: 'ship', taskNumber: task.number, comment: 'looks good' } });
  });

  it('emits the same events as moving the task to done on the board', async () => {
    const viaBoard = await waitingRun();
    let from = h.published.length;
    await h.services.tasks.move(h.operator, { id: viaBoard.task.id, status: 'done' });
    await settle();
    const boardTypes = h.published.slice(from).map((e) => e.type);
    const viaButton = await waitingRun(1);
    from = h.published.length;
    await p().approveStep(h.admin, { runId: viaButton.runId, stepKey: 'ship' });
    await settle();
    expect(h.published.slice(from).map((e) => e.type)).toEqual(boardTypes);
  });

  it('refuses to approve a step that is not waiting for approval, and changes nothing', async () => {
    const { runId } = await waitingRun();
    const before = { tasks: await h.db.prisma.task.count(), events: await h.db.prisma.event.count(), run: await p().getRun(runId) };
    const notYet = await refused(p().approveStep(h.operator, { runId, stepKey: 'announce' }));
    expect(notYet).toMatchObject({ code: 'CONFLICT', message: 'Step "announce" is not waiting for approval (it is waiting for its dependencies); nothing to approve' });
    await p().approveStep(h.operator, { runId, stepKey: 'ship' });
    const twice = await refused(p().approveStep(h.operator, { runId, stepKey: 'ship' }));
    expect(twice).toMatchObject({ code: 'CONFLICT', message: 'Step "ship" is not waiting for approval (it is already done); nothing to approve' });
    expect((await refused(p().approveStep(h.operator, { runId, stepKey: 'nope' }))).code).toBe('NOT_FOUND');
    expect((await refused(p().approveStep(h.operator, { runId: 'no-such-run', stepKey: 'ship' }))).code).toBe('NOT_FOUND');
    const after = await p().getRun(runId);
    expect(after.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'ready']);
    expect(before.run.steps.map((s) => s.status)).toEqual(['succeeded', 'waiting_approval', 'pending']);
    expect(await h.db.prisma.task.count()).toBe(before.tasks + 1); // only the approval's next step
    const events = await h.db.prisma.event.count();
    await refused(p().rejectStep(h.operator, { runId, stepKey: 'ship' }));
    expect(await h.db.prisma.event.count()).toBe(events);
  });

  it('forbids viewers and agents, and lets nothing through', async () => {
    const { runId, task } = await waitingRun();
    expect(await refused(p().approveStep(h.viewer, { runId, stepKey: 'ship' }))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/operator role/) });
    expect((await refused(p().rejectStep(h.viewer, { runId, stepKey: 'ship' }))).code).toBe('FORBIDDEN');
    const agent = await h.agent('sneaky');
    expect((await refused(p().approveStep(agent, { runId, stepKey: 'ship' }))).code).toBe('FORBIDDEN');
    expect((await refused(p().approveStep({ kind: 'anonymous' }, { runId, stepKey: 'ship' }))).code).toBe('UNAUTHORIZED');
    expect((await p().getRun(runId)).steps[1]?.status).toBe('waiting_approval');
    expect((await h.services.tasks.byId(task.id)).task.status).toBe('review');
  });

  it('reject retries the step as a new task while it has retries left, then fails the run with the reason', async () => {
    const { runId, task, agent } = await waitingRun(1);
    let view = await p().rejectStep(h.operator, { runId, stepKey: 'ship', reason: 'wrong changelog' });
    expect(view.status).toBe('running');
    expect(view.steps[1]).toMatchObject({ status: 'ready', attempt: 2, lastError: 'rejected by operator-person: wrong changelog' });
    const first = await h.services.tasks.byId(task.id);
    expect(first.task).toMatchObject({ status: 'done', outcome: 'failed' });
    expect(first.history.at(-1)).toMatchObject({ kind: 'moved', actorName: 'operator-person' });
    expect(first.comments.at(-1)?.body).toBe('Attempt 1 of 2 failed: rejected by operator-person: wrong changelog. Retrying as a new task.');

    const second = await claim(agent, 'shipper-1');
    expect(second?.id).toBe(view.steps[1]?.task?.id);
    expect(second?.id).not.toBe(task.id);
    await patch(agent, second?.id ?? '', { status: 'review' });
    await settle();
    view = await p().rejectStep(h.admin, { runId, stepKey: 'ship' });
    expect(view).toMatchObject({ status: 'failed', failureReason: 'step "ship" failed after 2 attempts: rejected by admin-person' });
    expect(view.steps.map((s) => s.status)).toEqual(['succeeded', 'failed', 'cancelled']);
    expect(h.published.filter((e) => e.type === 'pipeline.run.failed')).toHaveLength(1);
    const audit = await h.services.audit.list({ action: 'pipelines.step.rejected', limit: 5 });
    expect(audit.map((a) => a.details)).toEqual([{ stepKey: 'ship', taskNumber: second?.number }, { stepKey: 'ship', taskNumber: task.number, reason: 'wrong changelog' }]);
  });
});

describe('pipeline bad input', () => {
  it('refuses cycles, undeclared variables and unknown agents when saving a template', async () => {
    const cyc = TemplateSchema.parse({ name: 'c', steps: [{ key: 'a', title: 'A', dependsOn: ['b'] }, { key: 'b', title: 'B', dependsOn: ['a'] }] });
    expect((await refused(p().createTemplate(h.operator, cyc))).message).toMatch(/form a cycle/);
    const undeclared = TemplateSchema.parse({ name: 'u', steps: [{ key: 'a', title: 'Fix {{repo}}' }] });
    expect((await refused(p().createTemplate(h.operator, undeclared))).details).toEqual([{ path: 'steps.0.title', message: '{{repo}} is not a declared variable' }]);
    const ghost = TemplateSchema.parse({ name: 'g', steps: [{ key: 'a', title: 'A', agent: 'nobody' }] });
    expect((await refused(p().createTemplate(h.operator, ghost))).details?.[0]?.path).toBe('steps.0.agent');
    expect(await h.db.prisma.pipelineTemplate.count()).toBe(0);
  });

  it('refuses a start with missing variables or a deleted agent, and starts nothing', async () => {
    await h.agent('temp');
    await template({ steps: TemplateSchema.parse({ name: 'x', steps: [{ key: 'a', title: 'A {{repo}}' }, { key: 'b', title: 'B', agent: 'temp', dependsOn: ['a'] }] }).steps, variables: [{ name: 'repo' }, { name: 'env' }] });
    const missing = await refused(p().startRun(h.operator, { template: 'delivery', variables: { repo: 'mc' } }));
    expect(missing).toMatchObject({ code: 'VALIDATION_FAILED', message: 'missing variables: env' });
    await h.db.prisma.agent.delete({ where: { name: 'temp' } });
    const gone = await refused(p().startRun(h.operator, { template: 'delivery', variables: { repo: 'mc', env: 'prod' } }));
    expect(gone.message).toBe('step "b" names agent "temp", which does not exist (deleted?)');
    expect(await h.db.prisma.pipelineRun.count()).toBe(0);
    expect(await h.db.prisma.task.count()).toBe(0);
  });

  it('refuses a schedule that needs variables without defaults, and a bad cron or time zone', async () => {
    const steps = TemplateSchema.parse({ name: 'x', steps: [{ key: 'a', title: 'A {{repo}}' }] }).steps;
    expect((await refused(template({ steps, variables: [{ name: 'repo' }], schedule: { cron: '0 3 * * *', timeZone: 'UTC', enabled: true } }))).message).toMatch(/give these a default: repo/);
    expect((await refused(template({ steps, variables: [{ name: 'repo', default: 'mc' }], schedule: { cron: '0 3 * *', timeZone: 'UTC', enabled: true } }))).details?.[0]?.path).toBe('schedule.cron');
    expect((await refused(template({ steps, variables: [{ name: 'repo', default: 'mc' }], schedule: { cron: '0 3 * * *', timeZone: 'Mars/Olympus', enabled: true } }))).details?.[0]?.path).toBe('schedule.timeZone');
  });

  it('refuses to remove a template with an open run', async () => {
    await template({ steps: threeSteps, variables: [{ name: 'feature', default: 'x' }] });
    const run = await p().startRun(h.operator, { template: 'delivery', variables: {} });
    expect((await refused(p().removeTemplate(h.operator, 'delivery'))).code).toBe('CONFLICT');
    await p().cancelRun(h.operator, run.id);
    await p().removeTemplate(h.operator, 'delivery');
    expect(await h.db.prisma.pipelineRun.count()).toBe(0);
  });
});

describe('pipeline schedules and stats', () => {
  it('fires a cron schedule once per tick, collapsing missed ticks into one run', async () => {
    const t = await template({
      steps: TemplateSchema.parse({ name: 'x', steps: [{ key: 'triage', title: 'Triage' }] }).steps,
      schedule: { cron: '*/5 * * * *', timeZone: 'UTC', enabled: true },
    });
    expect(t.nextRunAt).toBe('2026-11-26T10:05:00.000Z');
    await p().tick();
    expect(await h.db.prisma.pipelineRun.count()).toBe(0);
    h.clock.set('2026-11-26T10:05:20Z');
    await p().tick();
    await p().tick();
    const runs = await p().listRuns({ limit: 50 });
    expect(runs.items.map((r) => [r.trigger, r.scheduledFor])).toEqual([['schedule', '2026-11-26T10:05:00.000Z']]);
    h.clock.set('2026-11-26T10:31:00Z'); // five ticks missed
    await p().tick();
    expect((await p().listRuns({ limit: 50 })).items.map((r) => r.scheduledFor)).toEqual(['2026-11-26T10:10:00.000Z', '2026-11-26T10:05:00.000Z']);
    expect((await p().getTemplate('delivery')).nextRunAt).toBe('2026-11-26T10:35:00.000Z');
  });

  it('records a scheduled run that cannot start as failed, with the reason and no tasks', async () => {
    await h.agent('nightly-bot');
    await template({
      steps: TemplateSchema.parse({ name: 'x', steps: [{ key: 'triage', title: 'Triage', agent: 'nightly-bot' }] }).steps,
      schedule: { cron: '0 * * * *', timeZone: 'UTC', enabled: true },
    });
    await h.db.prisma.agent.delete({ where: { name: 'nightly-bot' } });
    h.clock.set('2026-11-26T11:00:05Z');
    await p().tick();
    await p().tick();
    const runs = await p().listRuns({ limit: 10 });
    expect(runs.items).toHaveLength(1);
    expect(runs.items[0]).toMatchObject({ status: 'failed', trigger: 'schedule', scheduledFor: '2026-11-26T11:00:00.000Z' });
    expect(runs.items[0]?.failureReason).toMatch(/^could not start: step "triage" names agent "nightly-bot", which does not exist/);
    expect(await h.db.prisma.task.count()).toBe(0);
    expect(h.published.filter((e) => e.type === 'pipeline.run.failed')).toHaveLength(1);
  });

  it('reports success rate, median duration and cost per run from the run tasks usage', async () => {
    await template({ steps: TemplateSchema.parse({ name: 'x', steps: [{ key: 'a', title: 'A' }] }).steps });
    const durations = [60_000, 180_000, 120_000];
    for (const ms of durations) {
      const run = await p().startRun(h.operator, { template: 'delivery', variables: {} });
      h.clock.advanceBy(ms);
      const taskId = run.steps[0]?.task?.id ?? '';
      await h.db.prisma.usageRecord.create({
        data: { sessionKey: 's', taskId, source: 'sdk', model: 'm', costNanos: 2_000_000_000n, priceVersion: 'v', dedupeScope: 'x', idempotencyKey: run.id, occurredAt: h.clock.now() },
      });
      await h.services.tasks.move(h.operator, { id: taskId, status: 'done' });
      await settle();
    }
    const failing = await p().startRun(h.operator, { template: 'delivery', variables: {} });
    await h.services.tasks.move(h.operator, { id: failing.steps[0]?.task?.id ?? '', status: 'done', outcome: 'failed' });
    await settle();
    const { templates } = await p().stats({ template: 'delivery' });
    expect(templates[0]).toMatchObject({ finishedRuns: 4, succeeded: 3, failed: 1, successRate: 0.75, medianDurationMs: 120_000, costPerRunUsd: 1.5 });
    const runs = await p().listRuns({ template: 'delivery', limit: 10 });
    expect(runs.items.filter((r) => r.costUsd === 2)).toHaveLength(3);
  });
});
