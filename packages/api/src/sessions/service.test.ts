import { describe, expect, it } from 'vitest';
import { ADMIN, META, startGatewayHarness } from '../gateways/manager/test-kit.ts';
import { createUsageWriter } from '../usage/usage-writer.ts';

const POLL = { timeout: 15_000 };
const SESSION = 'agent:dev:main';

describe('sessions across gateways', () => {
  it('sends a message and aborts the run on the gateway, audited; the running session shows as busy', async () => {
    const harness = await startGatewayHarness();
    const fake = await harness.startFake({ runFrameDelayMs: 20 });
    const gatewayId = await harness.addGateway('lab', fake.url);
    await expect.poll(() => harness.status(gatewayId), POLL).toBe('ready');
    const sent = await harness.services.gatewaySessions.send(ADMIN, { gatewayId, sessionKey: SESSION, message: 'Hello mission control' }, META);
    expect(sent).toMatchObject({ status: 'started', runId: expect.any(String) });
    await expect.poll(async () => (await harness.services.gatewaySessions.list({ gatewayId, status: 'busy', limit: 10 })).items.map((item) => item.sessionKey), POLL)
      .toContain(SESSION);
    const aborted = await harness.services.gatewaySessions.abort(ADMIN, { gatewayId, sessionKey: SESSION }, META);
    expect(aborted).toEqual({ aborted: true, runId: sent.runId, status: 'aborted' });
    const actions = (await harness.database.prisma.auditLog.findMany({ orderBy: { id: 'asc' } })).map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(['session.message_sent', 'session.aborted']));
    expect(harness.eventsOf('session.updated').some((event) => (event.payload as { session: { busy: boolean } }).session.busy)).toBe(true);
  });

  it('returns the transcript preview from the gateway', async () => {
    const harness = await startGatewayHarness();
    const fake = await harness.startFake();
    const gatewayId = await harness.addGateway('lab', fake.url);
    await expect.poll(() => harness.status(gatewayId), POLL).toBe('ready');
    const preview = await harness.services.gatewaySessions.preview({ gatewayId, sessionKey: SESSION });
    expect(preview.items).toEqual([{ role: 'user', text: 'Hello mission control' }, { role: 'assistant', text: 'Hello from the mock model. All systems nominal.' }]);
  });

  it('maps gateway refusals to clear errors: missing admin scope, not connected, unknown gateway', async () => {
    const harness = await startGatewayHarness();
    const fake = await harness.startFake({ pairingRequired: true });
    const paired = await harness.startFake();
    const readOnly = await harness.addGateway('lab', paired.url);
    const unpaired = await harness.addGateway('remote', fake.url);
    await expect.poll(() => harness.status(readOnly), POLL).toBe('ready');
    await expect.poll(() => harness.status(unpaired), POLL).toBe('pairing_required');
    await expect(harness.services.gatewaySessions.reset(ADMIN, { gatewayId: readOnly, sessionKey: SESSION }, META)).rejects.toMatchObject({
      code: 'FORBIDDEN', message: 'The gateway connection lacks operator.admin; enable admin scope for this gateway and approve the scope upgrade',
    });
    await expect(harness.services.gatewaySessions.abort(ADMIN, { gatewayId: unpaired, sessionKey: SESSION }, META)).rejects.toMatchObject({
      code: 'CONFLICT', message: 'Gateway remote is not connected (pairing required)',
    });
    await expect(harness.services.gatewaySessions.preview({ gatewayId: 'nope', sessionKey: SESSION })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // the gateway itself says the scope is missing (the connection claimed admin but the method still refused)
    paired.setMethod('sessions.abort', { scope: 'operator.admin', handle: () => ({}) });
    await expect(harness.services.gatewaySessions.abort(ADMIN, { gatewayId: readOnly, sessionKey: SESSION }, META)).rejects.toMatchObject({
      code: 'FORBIDDEN', message: 'The gateway connection lacks operator.admin; enable admin scope for this gateway and approve the scope upgrade',
    });
  });

  it('resets and deletes a session with admin scope; a deleted session leaves the mirror at once', async () => {
    const harness = await startGatewayHarness();
    const fake = await harness.startFake();
    const gatewayId = await harness.addGateway('lab', fake.url, { requestAdminScope: true });
    await expect.poll(async () => (await harness.view(gatewayId)).counts.sessions, POLL).toBe(3);
    const [first] = (await harness.services.gatewaySessions.list({ gatewayId, limit: 10 })).items;
    if (first === undefined) throw new Error('no session');
    await expect(harness.services.gatewaySessions.reset(ADMIN, { gatewayId, sessionKey: first.sessionKey }, META)).resolves.toEqual({ ok: true });
    await expect(harness.services.gatewaySessions.delete(ADMIN, { gatewayId, sessionKey: first.sessionKey }, META)).resolves.toEqual({ ok: true });
    expect((await harness.view(gatewayId)).counts.sessions).toBe(2);
    expect(harness.eventsOf('session.removed').map((event) => (event.payload as { sessionKey: string }).sessionKey)).toEqual([first.sessionKey]);
    const actions = (await harness.database.prisma.auditLog.findMany()).map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(['session.reset', 'session.deleted']));
  });

  it('lists SDK sessions from usage next to gateway sessions, with filters and a cursor', async () => {
    const harness = await startGatewayHarness({ start: false });
    const { agent } = await harness.services.agents.register(ADMIN, { name: 'builder-1' });
    const writer = createUsageWriter(harness.database.sqlite, () => harness.services.prices.currentTable());
    await harness.database.rawTransaction(() => writer.write([
      { id: 'a', model: 'claude-sonnet-4-5', inputTokens: 10, outputTokens: 5, sessionId: 's-1', occurredAt: new Date('2026-11-26T08:00:00Z') },
      { id: 'b', model: 'claude-sonnet-4-5', inputTokens: 20, outputTokens: 5, sessionId: 's-1', occurredAt: new Date('2026-11-26T09:00:00Z') },
      { id: 'c', model: 'claude-sonnet-4-5', inputTokens: 1, outputTokens: 1, sessionId: 's-2', occurredAt: new Date('2026-11-26T07:00:00Z') },
    ], { agentId: agent.id, agentName: agent.name, dedupeScope: `agent:${agent.id}`, defaultSource: 'claude-code', receivedAt: new Date() }));
    const page = await harness.services.gatewaySessions.list({ source: 'sdk', limit: 1 });
    expect(page.items).toEqual([expect.objectContaining({ source: 'sdk', sessionKey: 's-1', agentName: 'builder-1', inputTokens: 30, outputTokens: 10, updatedAt: '2026-11-26T09:00:00.000Z', gatewayId: null })]);
    expect(page.items[0]?.costUsd).toBeGreaterThan(0);
    const next = await harness.services.gatewaySessions.list({ source: 'sdk', limit: 1, cursor: page.nextCursor });
    expect(next.items.map((item) => item.sessionKey)).toEqual(['s-2']);
    expect(next.nextCursor).toBeNull();
    expect((await harness.services.gatewaySessions.list({ search: 's-2', limit: 10 })).items).toHaveLength(1);
    expect((await harness.services.gatewaySessions.list({ agent: 'builder-1', limit: 10 })).items).toHaveLength(2);
    await expect(harness.services.gatewaySessions.list({ cursor: 'garbage', limit: 10 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
