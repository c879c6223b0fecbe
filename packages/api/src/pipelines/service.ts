// Pipelines (issue #10): versioned templates of step DAGs; runs whose steps become real tasks on the
// board, handed to agents by the normal queue (PROTOCOL.md §6) once their dependencies are done.
//
// The scheduler is event-driven and crash-safe: all state is in the database, and `advance(runId)`
// re-derives what should happen from it (step tasks done / in review / given back / overdue) inside
// one database.rawTransaction that also writes the outbox events (published after commit). It runs
// on task.moved / task.updated events, on a 1 s tick (step timeouts, cron schedules) and for every
// open run at startup, so a restart loses nothing. Writes are raw (not services.events.transaction)
// because step transitions create and move tasks through the board's own raw write steps, in the
// same transaction.
//
// Approvals: a step with requiresApproval waits in review until a person approves or rejects it, with
// approveStep / rejectStep or by moving its task on the board (done = approve, done/failed = reject).
//
// Retries: a failed attempt's task is closed (done, outcome failed, with a comment) and a new task is
// created for the next attempt, so each attempt keeps its own history, agent and cost.
import { randomUUID } from 'node:crypto';
import { type Database, sqliteDate } from '@mc/db';
import { type Actor, hasAccess } from '../auth/roles.ts';
import type { AuditService } from '../audit/service.ts';
import type { Clock } from '../clock.ts';
import { type ErrorDetail, conflict, forbidden, notFound, unauthorized, validationFailed } from '../errors.ts';
import type { BusEvent, EventBus } from '../events/bus.ts';
import type { EventsService } from '../events/service.ts';
import type { Logger } from '../logger.ts';
import { createTaskReads } from '../tasks/task-reads.ts';
import { type ActorInfo, createTaskWrites } from '../tasks/task-writes.ts';
import { nanosToUsd } from '../usage/pricing/money.ts';
import { assertTimeZone, nextCronTime, parseCron } from './cron.ts';
import { render, resolveVariables, validateDag, validateVariables } from './dag.ts';
import {
  type PipelineStep,
  type PipelineVariable,
  type RunListInput,
  type RunStatus,
  type RunTrigger,
  type StepApproveInput,
  type StepRejectInput,
  type StepStatus,
  type TemplateCreateInput,
  type TemplateUpdateInput,
  TERMINAL_RUN_STATUSES,
} from './schema.ts';

export type PipelinesDeps = { database: Database; clock: Clock; events: EventsService; audit: AuditService; bus: EventBus; log: Logger };

type TemplateRow = {
  id: string; name: string; description: string; currentVersion: number; schedule: string | null; timeZone: string | null;
  scheduleEnabled: number; scheduleVariables: string; nextRunAt: string | null; lastScheduledAt: string | null; createdAt: string; updatedAt: string;
};
type RunRow = {
  id: string; templateId: string; version: number; status: RunStatus; variables: string; trigger: RunTrigger; scheduledFor: string | null;
  startedAt: string | null; finishedAt: string | null; failureReason: string | null; createdByType: string; createdById: string | null;
  createdByName: string | null; createdAt: string;
};
type StepRunRow = {
  id: number; runId: string; stepKey: string; status: StepStatus; attempt: number; taskId: string | null; attemptTaskIds: string;
  agentId: string | null; startedAt: string | null; finishedAt: string | null; lastError: string | null;
};
type TaskState = { id: string; number: number; status: string; outcome: string | null; claimedAt: string | null; assigneeAgentId: string | null };

const SYSTEM: ActorInfo = { type: 'system', id: null, name: 'pipeline' };
const iso = (value: string | null) => (value === null ? null : new Date(value).toISOString());
const OPEN_STEP: readonly StepStatus[] = ['ready', 'running', 'waiting_approval'];
const STEP_STATE_TEXT: Record<StepStatus, string> = {
  pending: 'waiting for its dependencies', ready: 'in the queue', running: 'in progress', waiting_approval: 'waiting for approval',
  succeeded: 'already done', failed: 'failed', cancelled: 'cancelled',
};
const TICK_MS = 1000;

export function createPipelinesService(deps: PipelinesDeps) {
  const { database, clock, events, audit, bus, log } = deps;
  const sqlite = database.sqlite;
  const taskReads = createTaskReads(sqlite);
  const taskWrites = createTaskWrites(sqlite, taskReads, events);
  const q = (sql: string) => sqlite.prepare(sql);

  const templateById = q('SELECT * FROM "PipelineTemplate" WHERE id = ?');
  const templateByName = q('SELECT * FROM "PipelineTemplate" WHERE name = ?');
  const versionOf = q('SELECT steps, variables FROM "PipelineTemplateVersion" WHERE templateId = ? AND version = ?');
  const runById = q('SELECT * FROM "PipelineRun" WHERE id = ?');
  const stepsOfRun = q('SELECT * FROM "PipelineStepRun" WHERE runId = ? ORDER BY id');
  const stepByTask = q('SELECT runId FROM "PipelineStepRun" WHERE taskId = ?');
  const taskState = q('SELECT id, number, status, outcome, claimedAt, assigneeAgentId FROM "Task" WHERE id = ?');
  const agentByName = q('SELECT id, name FROM "Agent" WHERE name = ?');
  const agentForRole = q(
    `SELECT a.id FROM "Agent" a WHERE a.role = ?
     ORDER BY CASE a.status WHEN 'idle' THEN 0 WHEN 'online' THEN 1 WHEN 'busy' THEN 2 ELSE 3 END,
       (SELECT COUNT(*) FROM "Task" t WHERE t.assigneeAgentId = a.id AND t.status IN ('todo', 'in_progress')), a.name LIMIT 1`,
  );

  function actorInfo(actor: Actor): ActorInfo {
    if (actor.kind === 'user') return { type: actor.apiKeyId ? 'apiKey' : 'user', id: actor.userId, name: actor.username };
    if (actor.kind === 'agent') return { type: 'agent', id: actor.agentId, name: actor.keyName };
    return { type: 'anonymous', id: null, name: null };
  }

  // ---------- templates ----------

  function findTemplate(ref: string): TemplateRow {
    const row = (templateById.get(ref) ?? templateByName.get(ref)) as TemplateRow | undefined;
    if (!row) throw notFound(`No pipeline template ${ref}`);
    return row;
  }

  function loadVersion(templateId: string, version: number): { steps: PipelineStep[]; variables: PipelineVariable[] } {
    const row = versionOf.get(templateId, version) as { steps: string; variables: string } | undefined;
    if (!row) throw notFound(`Pipeline template ${templateId} has no version ${version}`);
    return { steps: JSON.parse(row.steps) as PipelineStep[], variables: JSON.parse(row.variables) as PipelineVariable[] };
  }

  /** Agents named by steps must exist; each step names a role or an agent, not both. */
  function checkAgents(steps: readonly PipelineStep[]): void {
    const details: ErrorDetail[] = [];
    steps.forEach((step, i) => {
      if (step.role && step.agent) details.push({ path: `steps.${i}.agent`, message: `step "${step.key}" names both a role and an agent; choose one` });
      else if (step.agent && !agentByName.get(step.agent)) details.push({ path: `steps.${i}.agent`, message: `step "${step.key}" names agent "${step.agent}", which does not exist (deleted?)` });
    });
    if (details.length) throw validationFailed(details.map((d) => d.message).join('; '), details);
  }

  function validateTemplate(input: TemplateCreateInput) {
    validateDag(input.steps);
    validateVariables(input.steps, input.variables);
    checkAgents(input.steps);
    if (input.schedule) {
      parseCron(input.schedule.cron);
      assertTimeZone(input.schedule.timeZone);
      const needed = input.variables.filter((v) => v.default == null).map((v) => v.name);
      if (needed.length && input.schedule.enabled) {
        const message = `a scheduled run cannot be given variables; give these a default: ${needed.join(', ')}`;
        throw validationFailed(`schedule: ${message}`, [{ path: 'schedule', message }]);
      }
    }
  }

  function nextTick(schedule: TemplateCreateInput['schedule'], after: Date): string | null {
    if (!schedule?.enabled) return null;
    const next = nextCronTime(schedule.cron, after, schedule.timeZone);
    return next ? sqliteDate(next) : null;
  }

  function templateView(row: TemplateRow) {
    const version = loadVersion(row.id, row.currentVersion);
    const { depth } = validateDag(version.steps);
    return {
      id: row.id, name: row.name, description: row.description, version: row.currentVersion,
      steps: version.steps.map((s) => ({ ...s, depth: depth[s.key] ?? 0 })), variables: version.variables,
      schedule: row.schedule ? { cron: row.schedule, timeZone: row.timeZone ?? 'UTC', enabled: Boolean(row.scheduleEnabled) } : null,
      nextRunAt: iso(row.nextRunAt), lastScheduledAt: iso(row.lastScheduledAt), createdAt: iso(row.createdAt) as string, updatedAt: iso(row.updatedAt) as string,
    };
  }

  async function listTemplates() {
    const rows = q('SELECT * FROM "PipelineTemplate" ORDER BY name').all() as TemplateRow[];
    return rows.map(templateView);
  }

  async function getTemplate(ref: string) {
    return templateView(findTemplate(ref));
  }

  async function createTemplate(actor: Actor, input: TemplateCreateInput) {
    validateTemplate(input);
    const now = clock.now();
    const id = randomUUID();
    const who = actorInfo(actor);
    await database.rawTransaction(() => {
      if (templateByName.get(input.name)) throw conflict(`A pipeline template named "${input.name}" already exists`);
      q(`INSERT INTO "PipelineTemplate" (id, name, description, currentVersion, schedule, timeZone, scheduleEnabled, nextRunAt, createdById, createdAt, updatedAt)
         VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`).run(
        id, input.name, input.description, input.schedule?.cron ?? null, input.schedule?.timeZone ?? null, input.schedule?.enabled ? 1 : 0,
        nextTick(input.schedule, now), who.id, sqliteDate(now), sqliteDate(now),
      );
      q('INSERT INTO "PipelineTemplateVersion" (templateId, version, steps, variables, createdById, createdAt) VALUES (?, 1, ?, ?, ?, ?)').run(
        id, JSON.stringify(input.steps), JSON.stringify(input.variables), who.id, sqliteDate(now),
      );
    });
    await audit.record({ actor, action: 'pipelines.template.created', targetType: 'pipelineTemplate', targetId: id, details: { name: input.name, steps: input.steps.length } });
    return getTemplate(id);
  }

  /** Saves a new version; runs already started keep the version they started with. */
  async function updateTemplate(actor: Actor, input: TemplateUpdateInput) {
    const name = input.name;
    validateTemplate({ ...input, name: name ?? 'x' });
    const now = clock.now();
    const who = actorInfo(actor);
    const id = await database.rawTransaction(() => {
      const row = findTemplate(input.id);
      if (name && name !== row.name && templateByName.get(name)) throw conflict(`A pipeline template named "${name}" already exists`);
      const version = row.currentVersion + 1;
      q('INSERT INTO "PipelineTemplateVersion" (templateId, version, steps, variables, createdById, createdAt) VALUES (?, ?, ?, ?, ?, ?)').run(
        row.id, version, JSON.stringify(input.steps), JSON.stringify(input.variables), who.id, sqliteDate(now),
      );
      q(`UPDATE "PipelineTemplate" SET name = ?, description = ?, currentVersion = ?, schedule = ?, timeZone = ?, scheduleEnabled = ?, nextRunAt = ?, updatedAt = ? WHERE id = ?`).run(
        name ?? row.name, input.description, version, input.schedule?.cron ?? null, input.schedule?.timeZone ?? null, input.schedule?.enabled ? 1 : 0,
        nextTick(input.schedule, now), sqliteDate(now), row.id,
      );
      return row.id;
    });
    await audit.record({ actor, action: 'pipelines.template.updated', targetType: 'pipelineTemplate', targetId: id, details: { steps: input.steps.length } });
    return getTemplate(id);
  }

  /** Removes a template and its run history; refused while a run of it is open. Tasks stay on the board. */
  async function removeTemplate(actor: Actor, ref: string) {
    const row = await database.rawTransaction(() => {
      const template = findTemplate(ref);
      const open = q(`SELECT COUNT(*) AS n FROM "PipelineRun" WHERE templateId = ? AND status NOT IN ('succeeded', 'failed', 'cancelled')`).get(template.id) as { n: number };
      if (open.n) throw conflict(`"${template.name}" has ${open.n} open run${open.n === 1 ? '' : 's'}; cancel ${open.n === 1 ? 'it' : 'them'} first`);
      q('DELETE FROM "PipelineTemplate" WHERE id = ?').run(template.id);
      return template;
    });
    await audit.record({ actor, action: 'pipelines.template.removed', targetType: 'pipelineTemplate', targetId: row.id, details: { name: row.name } });
    return { id: row.id };
  }

  // ---------- runs ----------

  function runEvent(type: string, run: Pick<RunRow, 'id' | 'templateId' | 'status'>, extra: Record<string, unknown> = {}): BusEvent {
    const template = templateById.get(run.templateId) as TemplateRow | undefined;
    return events.recordRaw(sqlite, { type, payload: { runId: run.id, templateId: run.templateId, templateName: template?.name ?? null, status: run.status, ...extra } });
  }

  /** Closes an open task of a run: a comment, then done with outcome failed (it leaves the queue). */
  function closeTask(taskId: string | null, body: string, now: Date, emitted: BusEvent[]) {
    if (!taskId) return;
    const row = taskReads.rowById(taskId);
    if (!row) return;
    emitted.push(taskWrites.comment(row, body, SYSTEM, now).event);
    if (row.status === 'done') return;
    const moved = taskWrites.move(taskReads.rowById(taskId) ?? row, { status: 'done', outcome: 'failed' }, SYSTEM, now);
    if (moved.event) emitted.push(moved.event);
  }

  type Prepared = { template: TemplateRow; steps: PipelineStep[]; values: Record<string, string> };

  /** Everything a start needs, validated before anything is written. */
  function prepareStart(templateRef: string, given: Record<string, string>): Prepared {
    const template = findTemplate(templateRef);
    const { steps, variables } = loadVersion(template.id, template.currentVersion);
    const values = resolveVariables(variables, given);
    checkAgents(steps);
    return { template, steps, values };
  }

  function insertRun(p: Prepared, trigger: RunTrigger, who: ActorInfo, now: Date, scheduledFor: string | null, emitted: BusEvent[]): string | null {
    const id = randomUUID();
    const at = sqliteDate(now);
    const inserted = q(
      `INSERT INTO "PipelineRun" (id, templateId, version, status, variables, trigger, scheduledFor, startedAt, createdByType, createdById, createdByName, createdAt)
       VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ).run(id, p.template.id, p.template.currentVersion, JSON.stringify(p.values), trigger, scheduledFor, at, who.type, who.id, who.name, at);
    if (inserted.changes === 0) return null;
    const insertStep = q('INSERT INTO "PipelineStepRun" (runId, stepKey) VALUES (?, ?)');
    for (const step of p.steps) insertStep.run(id, step.key);
    emitted.push(runEvent('pipeline.run.started', { id, templateId: p.template.id, status: 'running' }, { trigger, version: p.template.currentVersion }));
    advanceIn(id, now, emitted);
    return id;
  }

  async function startRun(actor: Actor, input: { template: string; variables: Record<string, string> }, trigger: RunTrigger = 'manual') {
    const who = actorInfo(actor);
    const emitted: BusEvent[] = [];
    const runId = await database.rawTransaction(() => {
      const prepared = prepareStart(input.template, input.variables);
      return insertRun(prepared, trigger, who, clock.now(), null, emitted) as string;
    });
    events.publish(emitted);
    return getRun(runId);
  }

  async function cancelRun(actor: Actor, id: string, reason?: string) {
    const who = actorInfo(actor);
    const emitted: BusEvent[] = [];
    await database.rawTransaction(() => {
      const run = runById.get(id) as RunRow | undefined;
      if (!run) throw notFound(`No pipeline run ${id}`);
      if (TERMINAL_RUN_STATUSES.includes(run.status)) throw conflict(`The run already ${run.status === 'cancelled' ? 'was cancelled' : run.status}; nothing to cancel`);
      const now = clock.now();
      const why = `Pipeline run cancelled by ${who.name ?? who.type}${reason ? `: ${reason}` : ''}`;
      finishRun(run, 'cancelled', why, now, emitted);
      emitted.push(runEvent('pipeline.run.cancelled', { ...run, status: 'cancelled' }, { reason: why }));
    });
    events.publish(emitted);
    return getRun(id);
  }

  // ---------- approvals ----------

  function assertMayDecide(actor: Actor): void {
    if (actor.kind === 'anonymous') throw unauthorized('Sign in first');
    if (actor.kind === 'agent') throw forbidden('Agents cannot approve or reject pipeline steps; a person with the operator role does');
    if (!hasAccess(actor, 'operator')) throw forbidden('Viewers cannot approve or reject pipeline steps; this needs the operator role');
  }

  /**
   * A person's decision on a step waiting for approval (its task in review); operators and admins.
   * Approve is what moving the task to done on the board does (the same task.moved event, by this
   * person), and the run advances in the same transaction (the scheduler's own pass on that event then
   * finds nothing to do). Reject fails the attempt: the task is closed as done/failed by this person,
   * then the step is retried as a new task if it has retries left, else the run fails with the reason.
   * A step not waiting for approval is a CONFLICT and nothing is written.
   */
  async function decideStep(actor: Actor, input: { runId: string; stepKey: string; note?: string | undefined }, decision: 'approve' | 'reject') {
    assertMayDecide(actor);
    const who = actorInfo(actor);
    const emitted: BusEvent[] = [];
    const taskNumber = await database.rawTransaction(() => {
      const now = clock.now();
      if (!runById.get(input.runId)) throw notFound(`No pipeline run ${input.runId}`);
      // Catch up first (its task may have just moved on the board), so the decision is about the current state.
      advanceIn(input.runId, now, emitted);
      const run = runById.get(input.runId) as RunRow;
      const step = (stepsOfRun.all(run.id) as StepRunRow[]).find((s) => s.stepKey === input.stepKey);
      const def = loadVersion(run.templateId, run.version).steps.find((d) => d.key === input.stepKey);
      if (!step || !def) throw notFound(`This run has no step "${input.stepKey}"`);
      const task = step.taskId ? taskReads.rowById(step.taskId) : undefined;
      if (step.status !== 'waiting_approval' || task?.status !== 'review') {
        throw conflict(`Step "${step.stepKey}" is not waiting for approval (it is ${STEP_STATE_TEXT[step.status]}); nothing to ${decision}`);
      }
      if (decision === 'approve') {
        if (input.note) emitted.push(taskWrites.comment(task, input.note, who, now).event);
        const moved = taskWrites.move(taskReads.rowById(task.id) ?? task, { status: 'done', outcome: 'success' }, who, now);
        if (moved.event) emitted.push(moved.event);
      } else {
        const moved = taskWrites.move(task, { status: 'done', outcome: 'failed' }, who, now);
        if (moved.event) emitted.push(moved.event);
        retryOrFail(run, step, def, `rejected by ${who.name ?? who.type}${input.note ? `: ${input.note}` : ''}`, now, emitted);
      }
      advanceIn(run.id, now, emitted);
      return task.number;
    });
    events.publish(emitted);
    await audit.record({
      actor, action: decision === 'approve' ? 'pipelines.step.approved' : 'pipelines.step.rejected', targetType: 'pipelineRun', targetId: input.runId,
      details: { stepKey: input.stepKey, taskNumber, ...(input.note ? { [decision === 'approve' ? 'comment' : 'reason']: input.note } : {}) },
    });
    return getRun(input.runId);
  }

  const approveStep = (actor: Actor, input: StepApproveInput) => decideStep(actor, { runId: input.runId, stepKey: input.stepKey, note: input.comment }, 'approve');
  const rejectStep = (actor: Actor, input: StepRejectInput) => decideStep(actor, { runId: input.runId, stepKey: input.stepKey, note: input.reason }, 'reject');

  /** Terminal state: open steps cancelled, their tasks closed with a comment. */
  function finishRun(run: RunRow, status: 'cancelled' | 'failed', reason: string, now: Date, emitted: BusEvent[], comment = reason) {
    const at = sqliteDate(now);
    for (const step of stepsOfRun.all(run.id) as StepRunRow[]) {
      if (step.status === 'succeeded' || step.status === 'failed' || step.status === 'cancelled') continue;
      if (OPEN_STEP.includes(step.status)) closeTask(step.taskId, comment, now, emitted);
      q(`UPDATE "PipelineStepRun" SET status = 'cancelled', finishedAt = CASE WHEN startedAt IS NULL THEN NULL ELSE ? END WHERE id = ?`).run(at, step.id);
    }
    q('UPDATE "PipelineRun" SET status = ?, finishedAt = ?, failureReason = ? WHERE id = ?').run(status, at, reason, run.id);
  }

  /**
   * Re-derives a run's next transitions from the database, inside the caller's raw transaction.
   * Idempotent: calling it again with nothing changed writes nothing.
   */
  function advanceIn(runId: string, now: Date, emitted: BusEvent[]): void {
    const run = runById.get(runId) as RunRow | undefined;
    if (!run || TERMINAL_RUN_STATUSES.includes(run.status)) return;
    const { steps: defs } = loadVersion(run.templateId, run.version);
    const byKey = new Map(defs.map((d) => [d.key, d]));
    const values = JSON.parse(run.variables) as Record<string, string>;
    const at = sqliteDate(now);
    const setStep = q('UPDATE "PipelineStepRun" SET status = ?, agentId = COALESCE(?, agentId), startedAt = COALESCE(startedAt, ?), finishedAt = ?, lastError = COALESCE(?, lastError) WHERE id = ?');
    const stepEvent = (step: StepRunRow, status: StepStatus, extra: Record<string, unknown> = {}) =>
      emitted.push(runEvent(status === 'succeeded' ? 'pipeline.step.completed' : 'pipeline.step.updated', run, { stepKey: step.stepKey, stepStatus: status, attempt: step.attempt, taskId: step.taskId, ...extra }));

    for (let pass = 0; pass < 4 * defs.length + 4; pass += 1) {
      let changed = false;
      const steps = stepsOfRun.all(runId) as StepRunRow[];
      const status = new Map(steps.map((s) => [s.stepKey, s]));

      for (const step of steps) {
        const def = byKey.get(step.stepKey);
        if (!def) continue;
        if (step.status === 'pending') {
          if (!def.dependsOn.every((d) => status.get(d)?.status === 'succeeded')) continue;
          const failure = createAttempt(run, step, def, values, status, now, emitted);
          if (failure) {
            failStep(run, step, failure, now, emitted);
            return;
          }
          changed = true;
          continue;
        }
        if (!OPEN_STEP.includes(step.status) || !step.taskId) continue;
        const task = taskState.get(step.taskId) as TaskState | undefined;
        if (!task) {
          if (!retryOrFail(run, step, def, 'its task was deleted', now, emitted)) return;
          changed = true;
          continue;
        }
        const failed = (task.status === 'todo' && task.outcome === 'failed') || (task.status === 'done' && task.outcome === 'failed');
        const overdue = def.timeoutS != null && task.status === 'in_progress' && task.claimedAt !== null && new Date(task.claimedAt).getTime() + def.timeoutS * 1000 <= now.getTime();
        if (failed || overdue) {
          const reason = overdue ? `timed out after ${def.timeoutS} s in progress` : 'the agent reported failure';
          if (!retryOrFail(run, step, def, reason, now, emitted)) return;
          changed = true;
        } else if (task.status === 'done') {
          setStep.run('succeeded', task.assigneeAgentId, task.claimedAt ?? at, at, null, step.id);
          stepEvent({ ...step, status: 'succeeded' }, 'succeeded', { agentId: task.assigneeAgentId });
          changed = true;
        } else if (task.status === 'review') {
          if (!def.requiresApproval) {
            // No approval needed: the agent's review is the end of the step.
            const moved = taskWrites.move(taskReads.rowById(task.id) as NonNullable<ReturnType<typeof taskReads.rowById>>, { status: 'done', outcome: 'success' }, SYSTEM, now);
            if (moved.event) emitted.push(moved.event);
            changed = true;
          } else if (step.status !== 'waiting_approval') {
            setStep.run('waiting_approval', task.assigneeAgentId, task.claimedAt ?? at, null, null, step.id);
            stepEvent(step, 'waiting_approval', { agentId: task.assigneeAgentId });
            changed = true;
          }
        } else if (task.status === 'in_progress' && step.status !== 'running') {
          setStep.run('running', task.assigneeAgentId, task.claimedAt ?? at, null, null, step.id);
          stepEvent(step, 'running', { agentId: task.assigneeAgentId });
          changed = true;
        }
      }
      if (!changed) break;
    }

    const steps = stepsOfRun.all(runId) as StepRunRow[];
    let next: RunStatus = 'running';
    if (steps.every((s) => s.status === 'succeeded')) next = 'succeeded';
    else if (steps.some((s) => s.status === 'waiting_approval') && !steps.some((s) => s.status === 'ready' || s.status === 'running')) next = 'waiting_approval';
    const current = runById.get(runId) as RunRow;
    if (next !== current.status) {
      q('UPDATE "PipelineRun" SET status = ?, finishedAt = ? WHERE id = ?').run(next, next === 'succeeded' ? at : null, runId);
      emitted.push(runEvent(next === 'succeeded' ? 'pipeline.run.completed' : 'pipeline.run.updated', { ...current, status: next }));
    }
  }

  /** Creates the task of the step's next attempt; returns a failure reason instead when it cannot. */
  function createAttempt(
    run: RunRow, step: StepRunRow, def: PipelineStep, values: Record<string, string>, status: Map<string, StepRunRow>, now: Date, emitted: BusEvent[],
  ): string | null {
    let assigneeAgentId: string | null = null;
    if (def.agent) {
      const agent = agentByName.get(def.agent) as { id: string } | undefined;
      if (!agent) return `agent "${def.agent}" no longer exists`;
      assigneeAgentId = agent.id;
    } else if (def.role) {
      assigneeAgentId = (agentForRole.get(def.role) as { id: string } | undefined)?.id ?? null;
    }
    const template = templateById.get(run.templateId) as TemplateRow;
    const attempt = step.attempt + 1;
    const title = render(def.title, values).slice(0, 200);
    const footer = `\n\n---\nPipeline "${template.name}" run ${run.id}, step "${def.key}"${attempt > 1 ? `, attempt ${attempt} of ${def.retries + 1}` : ''}.`;
    const description = (render(def.description, values) + footer).slice(0, 50_000);
    const dependsOn = def.dependsOn.map((d) => status.get(d)?.taskId).filter((id): id is string => Boolean(id));
    const labels = ['pipeline', ...(def.role ? [`role:${def.role}`.slice(0, 40)] : [])];
    const { card, event } = taskWrites.create(
      { title, description, status: 'todo', priority: def.priority, labels, assigneeAgentId, dependsOn, autoDone: !def.requiresApproval },
      SYSTEM, now,
    );
    emitted.push(event);
    const ids = [...(JSON.parse(step.attemptTaskIds) as string[]), card.id];
    q(`UPDATE "PipelineStepRun" SET status = 'ready', attempt = ?, taskId = ?, attemptTaskIds = ?, finishedAt = NULL WHERE id = ?`).run(attempt, card.id, JSON.stringify(ids), step.id);
    emitted.push(runEvent('pipeline.step.updated', run, { stepKey: def.key, stepStatus: 'ready', attempt, taskId: card.id, taskNumber: card.number }));
    return null;
  }

  /** A failed attempt: retried as configured (returns true), else the run fails (returns false). */
  function retryOrFail(run: RunRow, step: StepRunRow, def: PipelineStep, reason: string, now: Date, emitted: BusEvent[]): boolean {
    const attempts = def.retries + 1;
    if (step.attempt < attempts) {
      closeTask(step.taskId, `Attempt ${step.attempt} of ${attempts} failed: ${reason}. Retrying as a new task.`, now, emitted);
      q('UPDATE "PipelineStepRun" SET lastError = ? WHERE id = ?').run(reason, step.id);
      const values = JSON.parse(run.variables) as Record<string, string>;
      const status = new Map((stepsOfRun.all(run.id) as StepRunRow[]).map((s) => [s.stepKey, s]));
      const failure = createAttempt(run, step, def, values, status, now, emitted);
      if (!failure) return true;
      reason = failure;
    }
    failStep(run, { ...step }, `step "${def.key}" failed after ${step.attempt} attempt${step.attempt === 1 ? '' : 's'}: ${reason}`, now, emitted);
    return false;
  }

  function failStep(run: RunRow, step: StepRunRow, reason: string, now: Date, emitted: BusEvent[]) {
    const at = sqliteDate(now);
    closeTask(step.taskId, `Pipeline run failed: ${reason}`, now, emitted);
    q(`UPDATE "PipelineStepRun" SET status = 'failed', finishedAt = ?, lastError = ? WHERE id = ?`).run(at, reason, step.id);
    emitted.push(runEvent('pipeline.step.updated', run, { stepKey: step.stepKey, stepStatus: 'failed', attempt: step.attempt, reason }));
    finishRun(run, 'failed', reason, now, emitted, `Pipeline run failed: ${reason}`);
    emitted.push(runEvent('pipeline.run.failed', { ...run, status: 'failed' }, { reason, stepKey: step.stepKey }));
  }

  async function advance(runId: string): Promise<void> {
    const emitted: BusEvent[] = [];
    await database.rawTransaction(() => advanceIn(runId, clock.now(), emitted));
    events.publish(emitted);
  }

  // ---------- reads ----------

  function costsOf(runIds: readonly string[]): Map<string, { costUsd: number | null; byStep: Map<string, number | null> }> {
    const result = new Map<string, { costUsd: number | null; byStep: Map<string, number | null> }>();
    if (runIds.length === 0) return result;
    const rows = q(
      `SELECT s.runId AS runId, s.stepKey AS stepKey, CAST(SUM(u.costNanos) AS TEXT) AS nanos
       FROM "PipelineStepRun" s, json_each(s.attemptTaskIds) j JOIN "UsageRecord" u ON u.taskId = j.value
       WHERE s.runId IN (${runIds.map(() => '?').join(',')}) GROUP BY s.runId, s.stepKey`,
    ).all(...runIds) as Array<{ runId: string; stepKey: string; nanos: string | null }>;
    for (const row of rows) {
      const entry = result.get(row.runId) ?? { costUsd: null, byStep: new Map() };
      const usd = row.nanos === null ? null : nanosToUsd(BigInt(row.nanos));
      entry.byStep.set(row.stepKey, usd);
      if (usd !== null) entry.costUsd = (entry.costUsd ?? 0) + usd;
      result.set(row.runId, entry);
    }
    return result;
  }

  function durationMs(start: string | null, end: string | null, now: Date): number | null {
    if (!start) return null;
    return (end ? new Date(end).getTime() : now.getTime()) - new Date(start).getTime();
  }

  function runSummary(run: RunRow, templateName: string, cost: number | null, now: Date) {
    return {
      id: run.id, templateId: run.templateId, templateName, version: run.version, status: run.status, trigger: run.trigger,
      variables: JSON.parse(run.variables) as Record<string, string>, scheduledFor: iso(run.scheduledFor), startedAt: iso(run.startedAt),
      finishedAt: iso(run.finishedAt), durationMs: durationMs(run.startedAt, run.finishedAt, now), failureReason: run.failureReason,
      createdBy: { type: run.createdByType, id: run.createdById, name: run.createdByName }, createdAt: iso(run.createdAt) as string, costUsd: cost,
    };
  }

  async function getRun(id: string) {
    const run = runById.get(id) as RunRow | undefined;
    if (!run) throw notFound(`No pipeline run ${id}`);
    const template = templateById.get(run.templateId) as TemplateRow;
    const { steps: defs } = loadVersion(run.templateId, run.version);
    const { depth } = validateDag(defs);
    const rows = new Map((stepsOfRun.all(id) as StepRunRow[]).map((s) => [s.stepKey, s]));
    const cost = costsOf([id]).get(id);
    const now = clock.now();
    const agentName = q('SELECT name FROM "Agent" WHERE id = ?');
    const values = JSON.parse(run.variables) as Record<string, string>;
    const steps = defs.map((def) => {
      const row = rows.get(def.key);
      const task = row?.taskId ? (taskState.get(row.taskId) as TaskState | undefined) : undefined;
      const agentId = task?.assigneeAgentId ?? row?.agentId ?? null;
      return {
        key: def.key, title: render(def.title, values), dependsOn: def.dependsOn, depth: depth[def.key] ?? 0, requiresApproval: def.requiresApproval,
        retries: def.retries, timeoutS: def.timeoutS ?? null, role: def.role ?? null, agentName: def.agent ?? null,
        status: row?.status ?? (TERMINAL_RUN_STATUSES.includes(run.status) ? 'cancelled' : 'pending'), attempt: row?.attempt ?? 0, lastError: row?.lastError ?? null,
        task: task ? { id: task.id, number: task.number, status: task.status } : null,
        agent: agentId ? { id: agentId, name: (agentName.get(agentId) as { name: string } | undefined)?.name ?? null } : null,
        startedAt: iso(row?.startedAt ?? null), finishedAt: iso(row?.finishedAt ?? null),
        durationMs: durationMs(row?.startedAt ?? null, row?.finishedAt ?? null, now), costUsd: cost?.byStep.get(def.key) ?? null,
      };
    });
    return { ...runSummary(run, template.name, cost?.costUsd ?? null, now), steps };
  }

  async function listRuns(input: RunListInput) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (input.template) {
      where.push('r.templateId = ?');
      params.push(findTemplate(input.template).id);
    }
    if (input.status) {
      where.push('r.status = ?');
      params.push(input.status);
    }
    const rows = q(
      `SELECT r.*, t.name AS templateName FROM "PipelineRun" r JOIN "PipelineTemplate" t ON t.id = r.templateId
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.createdAt DESC, r.id LIMIT ?`,
    ).all(...params, input.limit) as Array<RunRow & { templateName: string }>;
    const costs = costsOf(rows.map((r) => r.id));
    const now = clock.now();
    return { items: rows.map((r) => runSummary(r, r.templateName, costs.get(r.id)?.costUsd ?? null, now)) };
  }

  /** Per template: finished runs, success rate (succeeded / succeeded + failed), median duration and mean cost per run. */
  async function stats(input: { template?: string | undefined }) {
    const templates = input.template ? [findTemplate(input.template)] : (q('SELECT * FROM "PipelineTemplate" ORDER BY name').all() as TemplateRow[]);
    return {
      templates: templates.map((t) => {
        const runs = q(`SELECT * FROM "PipelineRun" WHERE templateId = ? AND status IN ('succeeded', 'failed', 'cancelled') ORDER BY createdAt DESC LIMIT 1000`).all(t.id) as RunRow[];
        const succeeded = runs.filter((r) => r.status === 'succeeded');
        const failed = runs.filter((r) => r.status === 'failed').length;
        const durations = succeeded.map((r) => durationMs(r.startedAt, r.finishedAt, clock.now()) ?? 0).sort((a, b) => a - b);
        const mid = Math.floor(durations.length / 2);
        const median = durations.length === 0 ? null : durations.length % 2 ? (durations[mid] as number) : ((durations[mid - 1] as number) + (durations[mid] as number)) / 2;
        const costs = costsOf(runs.map((r) => r.id));
        const priced = runs.map((r) => costs.get(r.id)?.costUsd).filter((c): c is number => c !== null && c !== undefined);
        const open = q(`SELECT COUNT(*) AS n FROM "PipelineRun" WHERE templateId = ? AND status NOT IN ('succeeded', 'failed', 'cancelled')`).get(t.id) as { n: number };
        return {
          templateId: t.id, templateName: t.name, finishedRuns: runs.length, succeeded: succeeded.length, failed, cancelled: runs.length - succeeded.length - failed,
          openRuns: open.n, successRate: succeeded.length + failed ? succeeded.length / (succeeded.length + failed) : null, medianDurationMs: median,
          costPerRunUsd: runs.length ? priced.reduce((a, b) => a + b, 0) / runs.length : null,
        };
      }),
    };
  }

  // ---------- scheduler ----------

  /** Fires due cron schedules: once per tick (PipelineRun.scheduledFor is unique per template). */
  async function fireSchedules(): Promise<number> {
    const now = clock.now();
    const due = q(`SELECT * FROM "PipelineTemplate" WHERE scheduleEnabled = 1 AND nextRunAt IS NOT NULL AND nextRunAt <= ? ORDER BY nextRunAt LIMIT 50`).all(sqliteDate(now)) as TemplateRow[];
    let fired = 0;
    for (const template of due) {
      const emitted: BusEvent[] = [];
      await database.rawTransaction(() => {
        const row = templateById.get(template.id) as TemplateRow | undefined;
        if (!row?.scheduleEnabled || !row.nextRunAt || !row.schedule || new Date(row.nextRunAt) > now) return;
        const tick = row.nextRunAt;
        // Missed ticks (server down) collapse into this one run; the next tick is after now.
        const next = nextCronTime(row.schedule, now, row.timeZone ?? 'UTC');
        q('UPDATE "PipelineTemplate" SET nextRunAt = ?, lastScheduledAt = ? WHERE id = ?').run(next ? sqliteDate(next) : null, tick, row.id);
        const who: ActorInfo = { type: 'system', id: null, name: 'schedule' };
        try {
          const prepared = prepareStart(row.id, {});
          if (insertRun(prepared, 'schedule', who, now, tick, emitted)) fired += 1;
        } catch (error) {
          // Nothing half-started: the run is recorded as failed, with the reason, and no tasks.
          const reason = `could not start: ${(error as Error).message}`;
          const id = randomUUID();
          const inserted = q(
            `INSERT INTO "PipelineRun" (id, templateId, version, status, variables, trigger, scheduledFor, startedAt, finishedAt, failureReason, createdByType, createdByName, createdAt)
             VALUES (?, ?, ?, 'failed', '{}', 'schedule', ?, ?, ?, ?, 'system', 'schedule', ?) ON CONFLICT DO NOTHING`,
          ).run(id, row.id, row.currentVersion, tick, sqliteDate(now), sqliteDate(now), reason, sqliteDate(now));
          if (inserted.changes) emitted.push(runEvent('pipeline.run.failed', { id, templateId: row.id, status: 'failed' }, { reason, trigger: 'schedule' }));
        }
      });
      events.publish(emitted);
    }
    return fired;
  }

  /** Runs with a step in progress past its timeout. */
  function overdueRuns(now: Date): string[] {
    const rows = q(
      `SELECT DISTINCT s.runId AS runId, s.stepKey AS stepKey, t.claimedAt AS claimedAt, v.steps AS steps
       FROM "PipelineStepRun" s JOIN "PipelineRun" r ON r.id = s.runId JOIN "Task" t ON t.id = s.taskId
       JOIN "PipelineTemplateVersion" v ON v.templateId = r.templateId AND v.version = r.version
       WHERE s.status IN ('ready', 'running') AND t.status = 'in_progress' AND t.claimedAt IS NOT NULL`,
    ).all() as Array<{ runId: string; stepKey: string; claimedAt: string; steps: string }>;
    const due = new Set<string>();
    const parsed = new Map<string, PipelineStep[]>();
    for (const row of rows) {
      const steps = parsed.get(row.steps) ?? (JSON.parse(row.steps) as PipelineStep[]);
      parsed.set(row.steps, steps);
      const timeoutS = steps.find((s) => s.key === row.stepKey)?.timeoutS;
      if (timeoutS != null && new Date(row.claimedAt).getTime() + timeoutS * 1000 <= now.getTime()) due.add(row.runId);
    }
    return [...due];
  }

  /** One scheduler tick: cron schedules, then step timeouts. */
  async function tick(): Promise<void> {
    await fireSchedules();
    for (const runId of overdueRuns(clock.now())) await advance(runId);
  }

  /** Re-derives every open run (startup: catches up on whatever happened while the server was down). */
  async function reconcile(): Promise<number> {
    const open = q(`SELECT id FROM "PipelineRun" WHERE status IN ('queued', 'running', 'waiting_approval') ORDER BY createdAt`).all() as Array<{ id: string }>;
    for (const { id } of open) await advance(id);
    return open.length;
  }

  let chain: Promise<void> = Promise.resolve();
  const enqueue = (work: () => Promise<unknown>) => {
    chain = chain.then(work).then(
      () => undefined,
      (error: unknown) => log.warn({ err: error }, 'pipeline scheduler step failed'),
    );
    return chain;
  };

  /** Starts the scheduler: reconcile, then task events and a 1 s tick. Returns stop (waits for work in flight). */
  function startScheduler(options: { tickMs?: number } = {}): () => Promise<void> {
    void enqueue(reconcile);
    const unsubscribe = bus.subscribe((event) => {
      if (event.type !== 'task.moved' && event.type !== 'task.updated') return;
      const taskId = (event.payload as { taskId?: unknown } | null)?.taskId;
      if (typeof taskId !== 'string') return;
      const row = stepByTask.get(taskId) as { runId: string } | undefined;
      if (row) void enqueue(() => advance(row.runId));
    });
    let ticking = false;
    const timer = setInterval(() => {
      if (ticking) return;
      ticking = true;
      void enqueue(tick).finally(() => {
        ticking = false;
      });
    }, options.tickMs ?? TICK_MS);
    timer.unref();
    return async () => {
      clearInterval(timer);
      unsubscribe();
      await chain;
    };
  }

  /** Resolves when the scheduler has no work queued, including work its own events queued (tests). */
  async function idle(): Promise<void> {
    for (let seen = chain; ; seen = chain) {
      await seen;
      if (seen === chain) return;
    }
  }

  return {
    listTemplates, getTemplate, createTemplate, updateTemplate, removeTemplate, startRun, cancelRun, approveStep, rejectStep, getRun, listRuns, stats,
    advance, tick, fireSchedules, reconcile, startScheduler, idle,
  };
}

export type PipelinesService = ReturnType<typeof createPipelinesService>;
