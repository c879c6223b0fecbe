// Test helpers for the gateway manager (not shipped): a migrated temp database with all services, the
// manager started with fast timings, fake gateways closed at the end, and recorders for bus events.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, openDatabase } from '@mc/db';
import { onTestFinished } from 'vitest';
import type { UserActor } from '../../auth/roles.ts';
import { systemClock } from '../../clock.ts';
import { type BusEvent, createEventBus } from '../../events/bus.ts';
import { silentLogger } from '../../logger.ts';
import { createServices, type Services } from '../../services.ts';
import { type FakeGateway, type FakeGatewayOptions, startFakeGateway } from '../testing/fake-gateway.ts';
import { FAKE_GATEWAY_TOKEN } from '../testing/gateway-client-harness.ts';
import type { GatewayManagerOptions } from './manager.ts';

export const ADMIN: UserActor = { kind: 'user', userId: 'admin-1', username: 'ada', role: 'admin' };
export const META = { ip: '127.0.0.1', userAgent: 'vitest' };

export type GatewayHarness = {
  database: Database;
  services: Services;
  secretKey: Buffer;
  events: BusEvent[];
  eventsOf(type: string): BusEvent[];
  startFake(options?: FakeGatewayOptions): Promise<FakeGateway>;
  /** adds a gateway through the service (token auth with the fake's token unless overridden) */
  addGateway(name: string, url: string, overrides?: { secret?: string; authMode?: 'token' | 'password' | 'none'; requestAdminScope?: boolean }): Promise<string>;
  status(gatewayId: string): Promise<string>;
  view(gatewayId: string): ReturnType<Services['gateways']['view']>;
  close(): Promise<void>;
};

export const FAST_GATEWAY_OPTIONS: GatewayManagerOptions = {
  handshakeTimeoutMs: 2_000, rpcTimeoutMs: 3_000, backoff: { initialMs: 20, factor: 2, maxMs: 200, jitter: 0 }, pairingRetryMs: 60_000, flushMs: 10,
};

export async function startGatewayHarness(options: { gateways?: GatewayManagerOptions; start?: boolean } = {}): Promise<GatewayHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'mc-gw-'));
  const database = await openDatabase({ file: join(dir, 'test.db') });
  const bus = createEventBus();
  const events: BusEvent[] = [];
  bus.subscribe((event) => void events.push(event));
  const secretKey = randomBytes(32);
  const services = createServices({ database, clock: systemClock, bus, log: silentLogger, secretKey, options: { gateways: { ...FAST_GATEWAY_OPTIONS, ...options.gateways } } });
  if (options.start !== false) await services.gatewayManager.start();
  const fakes: FakeGateway[] = [];
  let closed = false;
  const harness: GatewayHarness = {
    database,
    services,
    secretKey,
    events,
    eventsOf: (type) => events.filter((event) => event.type === type),
    async startFake(fakeOptions) {
      const fake = await startFakeGateway(fakeOptions);
      fakes.push(fake);
      return fake;
    },
    async addGateway(name, url, overrides = {}) {
      const authMode = overrides.authMode ?? 'token';
      const view = await services.gateways.create(ADMIN, {
        name, url, authMode, requestAdminScope: overrides.requestAdminScope ?? false, enabled: true,
        ...(authMode === 'none' ? {} : { secret: overrides.secret ?? FAKE_GATEWAY_TOKEN }),
      }, META);
      return view.id;
    },
    async status(gatewayId) {
      return (await services.gateways.view(gatewayId)).status;
    },
    view: (gatewayId) => services.gateways.view(gatewayId),
    async close() {
      if (closed) return;
      closed = true;
      await services.gatewayManager.stop();
      await Promise.all(fakes.map((fake) => fake.close()));
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  onTestFinished(() => harness.close());
  return harness;
}
