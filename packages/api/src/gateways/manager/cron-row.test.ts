import { describe, expect, it } from 'vitest';
import { readFixtureFile } from '../testing/fake-gateway-fixtures.ts';
import { describeSchedule, readCronJob, readCronRun } from './cron-row.ts';
import { readSessionRow, sessionFromChange } from './session-row.ts';

describe('cron rows', () => {
  it('describes schedules for people', () => {
    expect(describeSchedule({ kind: 'every', everyMs: 300_000 })).toBe('every 5 min');
    expect(describeSchedule({ kind: 'every', everyMs: 3_600_000, anchorMs: 1 })).toBe('every 1 h');
    expect(describeSchedule({ kind: 'every', everyMs: 1_500 })).toBe('every 1500 ms');
    expect(describeSchedule({ kind: 'cron', expr: '0 9 * * *', tz: 'Europe/Paris' })).toBe('cron 0 9 * * * (Europe/Paris)');
    expect(describeSchedule({ kind: 'at', at: '2026-12-01T09:00:00Z' })).toBe('at 2026-12-01 09:00 UTC');
    expect(describeSchedule({ kind: 'lunar' })).toBe('lunar');
    expect(describeSchedule(null)).toBe('unknown schedule');
  });

  it('reads the captured cron.list job and runs, tolerating nulls and unknown keys', () => {
    const cron = readFixtureFile('cron') as Record<string, { payload: { jobs?: unknown[]; entries?: unknown[] } }>;
    const [heartbeat] = cron['cron.list']?.payload.jobs ?? [];
    expect(readCronJob(heartbeat)).toMatchObject({
      name: 'Heartbeat (dev)', gatewayAgentId: 'dev', schedule: 'every 30 min', lastStatus: 'skipped', lastDurationMs: 336, consecutiveErrors: 0,
      lastError: 'heartbeat skipped: no-route', runningAt: null,
    });
    const [entry] = cron['cron.runs']?.payload.entries ?? [];
    expect(readCronRun(entry)).toMatchObject({ status: 'ok', durationMs: 1596, inputTokens: 1000, outputTokens: 12, model: 'mock-1', jobName: 'mc-probe-job' });
    expect(readCronJob({ id: 'x', name: null, state: null, schedule: { kind: 'every', everyMs: 'soon' }, extra: { nested: true } })).toMatchObject({ name: 'x', schedule: 'every ?' });
    expect(readCronRun({ jobId: 'x' })).toBeNull();
  });
});

describe('session rows', () => {
  it('reads the context gauge from totalTokens and the window from contextTokens (GATEWAY.md §11)', () => {
    expect(readSessionRow({ key: 'agent:main:main', totalTokens: 1200, contextTokens: 200000, inputTokens: 1000, outputTokens: 12, estimatedCostUsd: 0.00324, hasActiveRun: true }))
      .toMatchObject({ gatewayAgentId: 'main', contextTokens: 1200, contextLimit: 200000, costNanos: 3_240_000n, busy: true });
  });

  it('applies a flattened sessions.changed over the previous row: null clears, absent keeps', () => {
    const previous = { key: 'agent:main:main', label: 'Ops', model: 'mock-1', hasActiveRun: false };
    const next = sessionFromChange({ sessionKey: 'agent:main:main', reason: 'agent.run.started', hasActiveRun: true, label: null, ts: 1 }, previous);
    expect(next).toMatchObject({ busy: true, model: 'mock-1', title: null });
    expect(sessionFromChange({ reason: 'cron-bindings-loaded', ts: 1 }, null)).toBeNull();
  });
});
