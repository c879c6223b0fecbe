// GET /api/usage/export over real HTTP: CSV and JSON streamed in full (more rows than one page), viewer
// keys and session cookies accepted, agent keys refused, bad ranges a 400 with the field named.
import { createFakeClock } from '@mc/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

const clock = createFakeClock('2026-11-26T12:00:00Z');
let app: TestServer;
let viewerKey: string;
let operatorKey: string;
const RECORDS = 2_345; // more than one 2,000-row page of the exporter

beforeAll(async () => {
  app = await startTestServer({ clock, env: { MC_RATE_LIMITS: '{"heartbeatPerAgentPerMin":0,"connectPerAgentPerMin":0,"tokensPerKeyPerMin":0}' } });
  viewerKey = await app.createApiKey('viewer');
  operatorKey = await app.createApiKey('operator');
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${operatorKey}` };
  await fetch(`${app.url}/api/connect`, { method: 'POST', headers, body: JSON.stringify({ agent_name: 'exporter' }) });
  for (let start = 0; start < RECORDS; start += 500) {
    const records = Array.from({ length: Math.min(500, RECORDS - start) }, (_, i) => ({
      id: `e-${start + i}`, agent: 'exporter', model: i % 7 === 0 ? 'glm-4.6' : 'gpt-5', inputTokens: 1000, outputTokens: 10,
      occurredAt: new Date(Date.parse('2026-11-26T00:00:00Z') + (start + i) * 1000).toISOString(), sessionId: i === 3 ? '=cmd|"x",y' : undefined,
    }));
    const res = await fetch(`${app.url}/api/tokens`, { method: 'POST', headers, body: JSON.stringify(records) });
    expect(res.status).toBe(200);
  }
});
afterAll(async () => {
  await app.close();
});

const exportUrl = (query: string) => `${app.url}/api/usage/export?${query}`;
const RANGE = 'from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z';

describe('GET /api/usage/export', () => {
  it('streams every record as CSV with a header row, formula-looking text neutralised', async () => {
    const res = await fetch(exportUrl(`format=csv&${RANGE}`), { headers: { authorization: `Bearer ${viewerKey}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="usage_2026-11-26_2026-11-27.csv"');
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]?.startsWith('id,occurredAt,agentId,agentName,')).toBe(true);
    expect(lines).toHaveLength(RECORDS + 1);
    expect(lines[1]).toContain('e-0');
    expect(lines[RECORDS]).toContain(`e-${RECORDS - 1}`);
    expect(lines.find((line) => line.endsWith(',e-3'))).toContain(`"'=cmd|""x"",y"`);
  });

  it('streams JSON that parses, with exact costs and unpriced records as null', async () => {
    const cookie = await app.login();
    const res = await fetch(exportUrl(`format=json&${RANGE}&model=glm-4.6`), { headers: { cookie } });
    expect(res.status).toBe(200);
    const rows = (await res.json()) as Array<{ model: string; costUsd: number | null; priced: boolean }>;
    expect(rows.length).toBe(Math.ceil(500 / 7) * 4 + Math.ceil(345 / 7));
    expect(rows.every((row) => row.model === 'glm-4.6' && row.costUsd === null && !row.priced)).toBe(true);
    const gpt = (await (await fetch(exportUrl(`format=json&${RANGE}&model=gpt-5`), { headers: { cookie } })).json()) as Array<{ costNanos: string; costUsd: number }>;
    // 1,000 input at $1.25/MTok + 10 output at $10/MTok = 1,350,000 nano-USD.
    expect(gpt[0]).toMatchObject({ costNanos: '1350000', costUsd: 0.00135 });
  });

  it('answers 400 naming the field for bad ranges and formats, 401 without credentials, 403 for agent keys', async () => {
    const auth = { authorization: `Bearer ${viewerKey}` };
    for (const [query, field] of [
      ['format=xml&from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z', 'format'],
      ['from=2026-11-27T00:00:00Z&to=2026-11-26T00:00:00Z', 'to'],
      ['from=2020-01-01T00:00:00Z&to=2026-11-26T00:00:00Z', 'to'],
      ['from=nope&to=2026-11-26T00:00:00Z', 'from'],
      [`${RANGE}&colour=red`, '(body)'],
    ] as const) {
      const res = await fetch(exportUrl(query), { headers: auth });
      expect(res.status, query).toBe(400);
      const body = (await res.json()) as { error: { code: string; details: { path: string }[] } };
      expect(body.error.code).toBe('VALIDATION_FAILED');
      expect(body.error.details[0]?.path, query).toBe(field);
    }
    expect((await fetch(exportUrl(RANGE))).status).toBe(401);
    const owner = await app.db.prisma.user.findFirstOrThrow({ where: { role: 'admin' } });
    const admin = { kind: 'user', userId: owner.id, username: owner.username, role: 'admin' } as const;
    const { agent } = await app.services.agents.register(admin, { name: 'exporter-2' });
    const agentKey = await app.services.agents.createKey(admin, agent.id, 'k', {});
    expect((await fetch(exportUrl(RANGE), { headers: { authorization: `Bearer ${agentKey.secret}` } })).status).toBe(403);
  });
});
