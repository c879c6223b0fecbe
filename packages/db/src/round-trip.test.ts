import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMigrationsDir, MigrationError } from './migrator.ts';
import { DatabaseStartupError, openDatabase } from './open-database.ts';
import { readSchemaModels } from './schema-fields.ts';
import { createTestDb, type TestDatabase } from './test-db.ts';

const schemaPath = join(defaultMigrationsDir(), '..', 'schema.prisma');
const at = new Date('2026-11-26T10:00:00.000Z');

// One fully populated row per model, every scalar field set (parents first, for foreign keys).
// A model or field added to schema.prisma without a sample here fails the coverage test below.
const samples: Record<string, Record<string, unknown>> = {
  AttentionState: { id: 21, userId: 'u1', itemKey: 'agent.needs_input:agent-1:2026', state: 'snoozed', until: at, at },
  User: {
    id: 'u1', username: 'ada', passwordHash: 'hash', role: 'admin', disabledAt: at, lastLoginAt: at,
    passwordChangedAt: at, createdAt: at, updatedAt: at,
  },
  Session: { id: 'a'.repeat(64), userId: 'u1', expiresAt: at, lastSeenAt: at, createdAt: at, ip: '127.0.0.1', userAgent: 'ua' },
  ApiKey: {
    id: 'k1', prefix: 'mc_', hash: 'b'.repeat(64), displayPrefix: 'mc_abcd', name: 'ci', role: 'viewer', userId: 'u1',
    agentId: 'agent-1', expiresAt: at, lastUsedAt: at, revokedAt: at, createdAt: at,
  },
  AuditLog: {
    id: 7, at, actorType: 'user', actorId: 'u1', actorName: 'ada', action: 'auth.login', targetType: 'user', targetId: 'u1',
    ip: '::1', details: '{"ok":true}',
  },
  Event: { id: 9, type: 'test.created', payload: '{"a":1}', minRole: 'admin', agentId: 'agent-1', createdAt: at },
  Setting: { key: 'retention', value: '{"days":30}', updatedAt: at },
  Agent: {
    id: 'agent-1', name: 'builder-1', role: 'coder', status: 'needs_input', activity: 'waiting', statusChangedAt: at, lastSeenAt: at,
    source: 'sdk', gatewayId: 'gw-1', toolName: 'claude-code', toolVersion: '2.1.3', framework: 'custom', capabilities: '["code"]',
    metadata: '{"cwd":"repo"}', currentTaskId: 't1', heartbeatIntervalS: 30, createdAt: at, updatedAt: at,
  },
  AgentConnection: { id: 'c1', agentId: 'agent-1', toolName: 'codex', toolVersion: '0.1', startedAt: at, lastHeartbeatAt: at, endedAt: at, endReason: 'superseded' },
  AgentActivity: { id: 3, agentId: 'agent-1', at, fromStatus: 'idle', toStatus: 'busy', activity: 'tests' },
  UsageRecord: {
    id: 11, agentId: 'agent-1', gatewayId: 'gw-1', sessionKey: 's1', taskId: 't1', source: 'claude-code', model: 'claude-sonnet-4-5-20250929',
    resolvedModel: 'claude-sonnet-4-5', provider: 'anthropic', inputTokens: 1_000_000_000, outputTokens: 2, cacheReadTokens: 3, cacheWriteTokens: 4,
    cacheWrite1hTokens: 1, reasoningTokens: 0, costNanos: 9_007_199_254_740_993n, reportedCostNanos: 5n, priceVersion: '2026-11-26', tier: 'above_200k',
    billing: 'api', aggregated: true, subagent: 'toolu_1', dedupeScope: 'agent:agent-1', idempotencyKey: 'cc:msg_1', occurredAt: at, createdAt: at,
    cacheSavedNanos: 27n,
  },
  UsageRollupHourly: {
    id: 12, hourStart: at, agentId: 'agent-1', model: 'claude-sonnet-4-5', provider: 'anthropic', gatewayId: 'gw-1', source: 'claude-code', taskId: 't1',
    records: 3, unpricedRecords: 1, inputTokens: 9_007_199_254_740_993n, outputTokens: 2n, cacheReadTokens: 3n, cacheWriteTokens: 4n, unpricedTokens: 5n,
    costNanos: 9_007_199_254_740_995n, cacheSavedNanos: 6n,
  },
  UsageRollupSlice: {
    id: 14, dimension: 'model', grain: 'day', start: at, key: 'claude-sonnet-4-5', records: 3, unpricedRecords: 1, inputTokens: 9_007_199_254_740_993n,
    outputTokens: 2n, cacheReadTokens: 3n, cacheWriteTokens: 4n, unpricedTokens: 5n, costNanos: 7n, cacheSavedNanos: 6n,
  },
  PriceOverride: { model: 'glm-4.6', entry: '{"input_cost_per_token":6e-7}', createdById: 'u1', createdAt: at, updatedAt: at },
  PriceTableVersion: { id: 2, version: '2026-11-26+o1', baseVersion: '2026-11-26', overrides: '{}', reason: 'override glm-4.6', createdById: 'u1', createdAt: at },
  RepricingRun: {
    id: 'rp1', fromAt: at, toAt: at, models: '["glm-4.6"]', toVersion: '2026-11-26+o1', records: 10, changedRecords: 4, newlyPriced: 2,
    oldCostNanos: 1n, newCostNanos: 9_007_199_254_740_993n, actorId: 'u1', actorName: 'ada', createdAt: at,
  },
  Budget: {
    id: 'b1', name: 'Fleet monthly', scope: 'agent', scopeValue: 'agent-1', period: 'month', limitNanos: 9_007_199_254_740_993n, thresholds: '[50,80,100]',
    hard: true, enabled: false, createdById: 'u1', createdAt: at, updatedAt: at,
  },
  BudgetAlert: { id: 8, budgetId: 'b1', periodStart: at, threshold: 80, spentNanos: 8n, limitNanos: 10n, eventId: 9, firedAt: at },
  BudgetSpend: { id: 13, budgetId: 'b1', periodStart: at, spentNanos: 9_007_199_254_740_993n, updatedAt: at },
  Webhook: {
    id: 'wh1', url: 'https://hooks.example.com/mc', description: 'CI', eventFilter: '["agent.*"]', encryptedSecret: 'v1.iv.ct.tag',
    enabled: false, allowPrivateNetwork: true, consecutiveFailures: 3, disabledReason: 'too many failures', createdAt: at, updatedAt: at, lastDeliveryAt: at,
  },
  WebhookDelivery: {
    id: 'wd1', webhookId: 'wh1', eventId: 9, eventType: 'test.created', attempt: 2, status: 'retrying', httpStatus: 500, durationMs: 12,
    error: 'HTTP 500', requestExcerpt: 'POST /mc', responseExcerpt: 'oops', nextAttemptAt: at, createdAt: at, updatedAt: at,
  },
  Task: {
    id: 't1', number: 17, title: 'Ship the board', description: '**bold**', status: 'review', priority: 'critical', rank: 'a0V', labels: '["ui"]',
    dueAt: at, assigneeAgentId: 'agent-1', createdByType: 'user', createdById: 'u1', createdByName: 'ada', autoDone: true, version: 4,
    outcome: 'success', claimedAt: at, completedAt: at, archivedAt: at, createdAt: at, updatedAt: at,
  },
  TaskDependency: { id: 2, taskId: 't1', dependsOnId: 't1' },
  TaskComment: { id: 4, taskId: 't1', body: 'looks good', actorType: 'agent', actorId: 'agent-1', actorName: 'builder-1', createdAt: at },
  TaskEvent: { id: 6, taskId: 't1', kind: 'moved', changes: '{"status":{"before":"todo","after":"review"}}', actorType: 'user', actorId: 'u1', actorName: 'ada', at },
  Gateway: {
    id: 'gw-1', name: 'lab', url: 'wss://gw.example.lan:18789/', authMode: 'password', secretSealed: 'v1.a.b.c', identitySealed: 'v1.d.e.f',
    deviceTokenSealed: 'v1.g.h.i', deviceTokenScopes: '["operator.read"]', requestAdminScope: true, enabled: false, status: 'pairing_required',
    lastError: '{"code":"PAIRING_REQUIRED","message":"pairing required"}', latencyMs: 12, serverVersion: '2026.9.6', protocol: 4,
    lastConnectedAt: at, createdAt: at, updatedAt: at,
  },
  GatewaySession: {
    id: 'gs1', gatewayId: 'gw-1', sessionKey: 'agent:main:main', gatewayAgentId: 'main', agentId: 'agent-1', title: 'Hello', status: 'running',
    busy: true, model: 'mock-1', inputTokens: 1000, outputTokens: 12, contextTokens: 1200, contextLimit: 200000, costNanos: 9_007_199_254_740_993n,
    activityAt: at, usageSyncedAt: at, raw: '{"key":"agent:main:main"}', syncedAt: at,
  },
  CronJob: {
    id: 'cj1', gatewayId: 'gw-1', jobId: 'job-1', name: 'nightly', gatewayAgentId: 'main', enabled: false, schedule: 'cron 0 9 * * * (Europe/Paris)',
    nextRunAt: at, lastRunAt: at, lastStatus: 'error', lastDurationMs: 1596, consecutiveErrors: 3, lastError: 'boom', runningAt: at, raw: '{"id":"job-1"}',
    syncedAt: at,
  },
  CronRun: {
    id: 'cr1', gatewayId: 'gw-1', jobId: 'job-1', runId: 'manual:job-1:1:1', status: 'ok', runAt: at, durationMs: 1596, summary: 'done', error: 'none',
    model: 'mock-1', provider: 'mock', sessionKey: 'agent:main:cron:job-1:run:s1', inputTokens: 1000, outputTokens: 12, createdAt: at,
  },
  PipelineTemplate: {
    id: 'pt1', name: 'spec-implement-review', description: 'the loop', currentVersion: 2, schedule: '0 3 * * 1-5', timeZone: 'Europe/Berlin',
    scheduleEnabled: true, nextRunAt: at, lastScheduledAt: at, createdById: 'u1', createdAt: at, updatedAt: at,
  },
  PipelineTemplateVersion: {
    id: 8, templateId: 'pt1', version: 2, steps: '[{"key":"spec","title":"Spec {{repo}}","dependsOn":[]}]', variables: '[{"name":"repo"}]',
    createdById: 'u1', createdAt: at,
  },
  PipelineRun: {
    id: 'pr1', templateId: 'pt1', version: 2, status: 'failed', variables: '{"repo":"mc"}', trigger: 'schedule', scheduledFor: at, startedAt: at,
    finishedAt: at, failureReason: 'step "spec" failed after 2 attempts', createdByType: 'system', createdById: 'u1', createdByName: 'schedule', createdAt: at,
  },
  PipelineStepRun: {
    id: 11, runId: 'pr1', stepKey: 'spec', status: 'failed', attempt: 2, taskId: 't1', attemptTaskIds: '["t1"]', agentId: 'agent-1', startedAt: at,
    finishedAt: at, lastError: 'timed out after 60 s in progress',
  },
  WebhookAttempt: {
    id: 5, deliveryId: 'wd1', attempt: 2, status: 'failed', httpStatus: 500, durationMs: 12, error: 'HTTP 500', requestExcerpt: 'POST /mc',
    responseExcerpt: 'oops', createdAt: at,
  },
};

type Delegate = { create(args: { data: unknown }): Promise<unknown>; findUniqueOrThrow(args: { where: unknown }): Promise<Record<string, unknown>> };

describe('database schema and migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db.close();
  });

  it('has a sample for every model and every scalar field of schema.prisma', () => {
    const models = readSchemaModels(schemaPath);
    expect([...models.keys()].sort()).toEqual(Object.keys(samples).sort());
    for (const [model, fields] of models) {
      expect(Object.keys(samples[model] ?? {}).sort(), model).toEqual(fields.map((f) => f.name).sort());
    }
  });

  it('round-trips every model through the generated client on a freshly migrated database', async () => {
    const models = readSchemaModels(schemaPath);
    const client = db.prisma as unknown as Record<string, Delegate>;
    for (const model of Object.keys(samples)) {
      const delegate = client[model.charAt(0).toLowerCase() + model.slice(1)];
      expect(delegate, `client delegate for ${model}`).toBeDefined();
      if (!delegate) continue;
      const data = samples[model] ?? {};
      await delegate.create({ data });
      const idField = models.get(model)?.[0]?.name ?? 'id';
      const row = await delegate.findUniqueOrThrow({ where: { [idField]: data[idField] } });
      // updatedAt is set by Prisma itself, so it only has to be a date.
      const { updatedAt, ...rest } = row;
      const { updatedAt: _expectedUpdatedAt, ...expected } = data;
      expect(rest, model).toEqual(expected);
      if (updatedAt !== undefined) expect(updatedAt).toBeInstanceOf(Date);
    }
  });

  it('sets WAL and the connection pragmas', () => {
    expect(db.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.sqlite.pragma('synchronous', { simple: true })).toBe(1);
    expect(db.sqlite.pragma('temp_store', { simple: true })).toBe(2);
    expect(db.sqlite.pragma('journal_size_limit', { simple: true })).toBe(67_108_864);
  });
});

describe('migrator', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-mig-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('is a no-op when run twice', async () => {
    const file = join(tempDir(), 'twice.db');
    const first = await openDatabase({ file });
    expect(first.migrations.applied.length).toBe(readdirSync(defaultMigrationsDir()).length);
    await first.close();
    const second = await openDatabase({ file });
    expect(second.migrations.applied).toEqual([]);
    await second.close();
  });

  it('rolls back a failing migration completely and stops with a message naming it', async () => {
    const dir = tempDir();
    const migrations = join(dir, 'migrations');
    cpSync(defaultMigrationsDir(), migrations, { recursive: true });
    const file = join(dir, 'fail.db');
    await (await openDatabase({ file, migrationsDir: migrations })).close();
    mkdirSync(join(migrations, '99999999999999_broken'));
    writeFileSync(
      join(migrations, '99999999999999_broken', 'migration.sql'),
      'CREATE TABLE "Half" ("id" INTEGER);\nINSERT INTO "Nope" VALUES (1);',
    );
    await expect(openDatabase({ file, migrationsDir: migrations })).rejects.toThrow(
      /Migration 99999999999999_broken failed and was rolled back: no such table: Nope/,
    );
    const raw = new BetterSqlite3(file, { readonly: true });
    const half = raw.prepare(`SELECT name FROM sqlite_master WHERE name = 'Half'`).get();
    const recorded = raw.prepare(`SELECT count(*) AS n FROM _prisma_migrations WHERE migration_name LIKE '%broken'`).get() as { n: number };
    raw.close();
    expect(half).toBeUndefined();
    expect(recorded.n).toBe(0);
  });

  it('refuses a migration edited after it was applied', async () => {
    const dir = tempDir();
    const migrations = join(dir, 'migrations');
    cpSync(defaultMigrationsDir(), migrations, { recursive: true });
    const file = join(dir, 'edited.db');
    await (await openDatabase({ file, migrationsDir: migrations })).close();
    const first = readdirSync(migrations).sort()[0] ?? '';
    writeFileSync(join(migrations, first, 'migration.sql'), '-- edited\n', { flag: 'a' });
    await expect(openDatabase({ file, migrationsDir: migrations })).rejects.toBeInstanceOf(MigrationError);
  });

  it('refuses a corrupt database file without modifying it', async () => {
    const dir = tempDir();
    const file = join(dir, 'corrupt.db');
    writeFileSync(file, 'this is not a sqlite database, just text that is long enough to look like a header');
    await expect(openDatabase({ file })).rejects.toBeInstanceOf(DatabaseStartupError);
    expect(readdirSync(dir)).toEqual(['corrupt.db']);
  });

  it('refuses an unwritable data directory with a clear message', async () => {
    const dir = tempDir();
    copyFileSync(schemaPath, join(dir, 'marker'));
    // Root ignores directory permissions; a path under a regular file is unwritable for everyone.
    await expect(openDatabase({ file: join(dir, 'marker', 'sub', 'x.db') })).rejects.toThrow(/not writable/);
  });
});
