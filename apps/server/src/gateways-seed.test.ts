// MC_GATEWAYS: parsed once by config.ts (a bad value stops startup with a message), applied at startup
// for names that do not exist yet; the token is sealed, never stored or returned in clear.
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig, StartupError } from './config.ts';
import { startTestServer } from './testing/test-server.ts';

const base = { PORT: '0', MC_DATA_DIR: '/tmp/unused' };

describe('MC_GATEWAYS', () => {
  it('stops startup with a clear message for bad JSON, bad entries and duplicate names', () => {
    expect(() => loadConfig({ ...base, MC_GATEWAYS: '[{name:' })).toThrow(StartupError);
    expect(() => loadConfig({ ...base, MC_GATEWAYS: '[{name:' })).toThrow(/MC_GATEWAYS must be a JSON array/);
    expect(() => loadConfig({ ...base, MC_GATEWAYS: '[{"name":"lab","url":"http://x"}]' })).toThrow(/Invalid MC_GATEWAYS[\s\S]*WebSocket URL/);
    expect(() => loadConfig({ ...base, MC_GATEWAYS: '[{"name":"lab","url":"ws://x","tokn":"t"}]' })).toThrow(/Invalid MC_GATEWAYS/);
    expect(() => loadConfig({ ...base, MC_GATEWAYS: '[{"name":"a","url":"ws://x"},{"name":"a","url":"ws://y"}]' })).toThrow(/appears twice/);
    expect(loadConfig({ ...base, MC_GATEWAYS: '[{"name":"lab","url":"ws://127.0.0.1:18789","token":"t","requestAdminScope":true}]' }).gateways)
      .toEqual([{ name: 'lab', url: 'ws://127.0.0.1:18789', token: 't', requestAdminScope: true }]);
  });

  it('seeds the listed gateways at startup, only names that do not exist yet, with the token sealed', async () => {
    const seeded = '[{"name":"lab","url":"ws://127.0.0.1:9","token":"seeded-secret-token"},{"name":"open","url":"ws://127.0.0.1:9"}]';
    const app = await startTestServer({ env: { MC_GATEWAYS: seeded } });
    onTestFinished(() => app.close());
    const list = await app.services.gateways.list();
    expect(list.map((gateway) => [gateway.name, gateway.authMode, gateway.hasSecret])).toEqual([['lab', 'token', true], ['open', 'none', false]]);
    expect(JSON.stringify(list)).not.toContain('seeded-secret-token');
    expect(JSON.stringify(app.db.sqlite.prepare('SELECT * FROM "Gateway"').all())).not.toContain('seeded-secret-token');
    const audit = await app.db.prisma.auditLog.findMany({ where: { action: 'gateway.created' } });
    expect(audit.map((entry) => [entry.actorType, entry.actorName])).toEqual([['system', 'MC_GATEWAYS'], ['system', 'MC_GATEWAYS']]);
    // an admin's edit is not overwritten by the next start's seed
    const lab = list.find((gateway) => gateway.name === 'lab');
    await app.services.gateways.update({ kind: 'user', userId: 'u', username: 'ada', role: 'admin' }, { id: lab?.id ?? '', url: 'ws://127.0.0.1:10' }, {});
    expect(await app.services.gateways.seed(loadConfig({ ...base, MC_GATEWAYS: seeded }).gateways)).toEqual([]);
    expect((await app.services.gateways.view(lab?.id ?? '')).url).toBe('ws://127.0.0.1:10');
  });
});
