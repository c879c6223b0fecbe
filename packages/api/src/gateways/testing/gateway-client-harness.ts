// Test helper: a gateway client wired to recording callbacks and a recording logger, stopped when the
// test ends. Fast defaults (tiny backoff, short timeouts); anything can be overridden.
import { onTestFinished } from 'vitest';
import type { GatewayClientState } from '../protocol/client-state.ts';
import { createDeviceIdentity } from '../protocol/device-identity.ts';
import type { HelloOk } from '../protocol/frames.ts';
import type { DeviceTokenIssued, GatewayClientOptions, GatewayEvent, GatewayLogger } from '../protocol/client-options.ts';
import { createGatewayClient } from '../protocol/gateway-client.ts';

export type LogEntry = { level: 'info' | 'warn' | 'error' | 'debug'; obj: object; msg: string };

export function createRecordingLogger(): GatewayLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (obj: object, msg: string) => void entries.push({ level, obj, msg });
  return { entries, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

export const FAKE_GATEWAY_TOKEN = 'fake-gateway-token';

export function createTestClient(url: string, overrides: Partial<GatewayClientOptions> = {}) {
  const states: GatewayClientState[] = [];
  const events: GatewayEvent[] = [];
  const hellos: HelloOk[] = [];
  const deviceTokens: DeviceTokenIssued[] = [];
  const log = createRecordingLogger();
  const options: GatewayClientOptions = {
    url,
    auth: { token: FAKE_GATEWAY_TOKEN },
    identity: createDeviceIdentity(),
    clientVersion: '0.1.0-test',
    log,
    handshakeTimeoutMs: 2_000,
    rpcTimeoutMs: 2_000,
    pairingRetryMs: 60_000,
    backoff: { initialMs: 20, factor: 2, maxMs: 200, jitter: 0 },
    onState: (state) => void states.push(state),
    onEvent: (event) => void events.push(event),
    onHello: (hello) => void hellos.push(hello),
    onDeviceToken: (issued) => void deviceTokens.push(issued),
    ...overrides,
  };
  const client = createGatewayClient(options);
  onTestFinished(() => client.stop());
  return {
    client,
    options,
    states,
    events,
    hellos,
    deviceTokens,
    log,
    status: () => client.state().status,
    eventsNamed: (name: string) => events.filter((event) => event.event === name),
  };
}
