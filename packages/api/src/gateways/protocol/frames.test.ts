import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readFixtureFile } from '../testing/fake-gateway-fixtures.ts';
import { ConnectParams, encodeRequestFrame, HelloOkPayload, parseInboundFrame, readErrorDetails, ResponseFrame } from './frames.ts';

const handshake = z
  .object({ helloOk: z.object({ frame: z.unknown() }), firstEventAfterHello: z.object({ frame: z.unknown() }), challenge: z.object({ frame: z.unknown() }) })
  .parse(readFixtureFile('handshake'));

describe('reading frames', () => {
  it('parses the captured hello-ok untouched: server, effective scopes, policy, snapshot defaults', () => {
    const inbound = parseInboundFrame(JSON.stringify(handshake.helloOk.frame));
    expect(inbound.kind).toBe('res');
    if (inbound.kind !== 'res') return;
    const hello = HelloOkPayload.parse(inbound.frame.payload);
    expect(hello.protocol).toBe(4);
    expect(hello.server?.version).toBe('2026.9.6');
    expect(hello.auth?.scopes).toEqual(['operator.read', 'operator.write']);
    expect(hello.auth?.method).toBe('token');
    expect(hello.policy).toEqual({ maxPayload: 26214400, maxBufferedBytes: 52428800, tickIntervalMs: 30000 });
    expect(hello.snapshot?.sessionDefaults?.mainSessionKey).toBe('agent:dev:main');
    expect(hello.features?.methods).toHaveLength(466);
    // secrets the schema must not carry along
    expect(JSON.stringify(hello)).not.toContain('RECOVERY_SCOPE');
    expect(JSON.stringify(hello)).not.toContain('CAPABILITY_TOKEN');
  });

  it('tolerates unknown keys, explicit nulls and unknown enum values everywhere it reads', () => {
    const hello = HelloOkPayload.parse({
      type: 'hello-ok', protocol: 4, futureKey: { x: 1 },
      server: { version: null, connId: 'c', extra: true },
      features: { methods: ['health', 7, null], events: 'not-an-array' },
      snapshot: null,
      auth: { role: 'operator', scopes: ['operator.read'], method: 'quantum-token', deviceToken: null },
      policy: { tickIntervalMs: null, maxPayload: 'big' },
    });
    expect(hello.server?.version).toBeNull();
    expect(hello.features?.methods).toEqual(['health']);
    expect(hello.features?.events).toEqual([]);
    expect(hello.auth?.method).toBe('quantum-token');
    expect(hello.policy?.tickIntervalMs).toBeNull();
    expect(hello.policy?.maxPayload).toBeNull();
  });

  it('reads events with seq and stateVersion, and ignores unknown top-level keys', () => {
    const inbound = parseInboundFrame(JSON.stringify({ ...(handshake.firstEventAfterHello.frame as object), recipientProfileId: 'p', brandNew: 1 }));
    expect(inbound.kind).toBe('event');
    if (inbound.kind !== 'event') return;
    expect(inbound.frame.event).toBe('health');
    expect(inbound.frame.seq).toBe(1);
    expect(inbound.frame.stateVersion).toEqual({ presence: 1, health: 3 });
  });

  it('reads the challenge, which has no seq', () => {
    const inbound = parseInboundFrame(JSON.stringify(handshake.challenge.frame));
    expect(inbound).toMatchObject({ kind: 'event', frame: { event: 'connect.challenge' } });
    expect(inbound.kind === 'event' ? inbound.frame.seq : 'not-an-event').toBeUndefined();
  });

  it.each([
    ['malformed JSON', '{"type":'],
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"event"'],
    ['null', 'null'],
    ['an unknown frame type', '{"type":"ping"}'],
    ['a res without id', '{"type":"res","ok":true}'],
  ])('ignores %s without throwing', (_label, text) => {
    expect(parseInboundFrame(text).kind).toBe('ignored');
  });

  it('reads every captured error response and its details code', () => {
    const errors = z.object({ connect: z.record(z.string(), z.object({ response: z.unknown() })) }).parse(readFixtureFile('errors'));
    for (const [name, entry] of Object.entries(errors.connect)) {
      const frame = ResponseFrame.parse(entry.response);
      expect(frame.ok, name).toBe(false);
      expect(frame.error?.code, name).toMatch(/^[A-Z_]+$/);
      expect(readErrorDetails(frame.error ?? { code: '', message: '' })).toBeTypeOf('object');
    }
  });
});

describe('sending frames', () => {
  it('refuses a req envelope with an unknown key', () => {
    expect(() => encodeRequestFrame({ type: 'req', id: 'x', method: 'health', ...{ extra: 1 } })).toThrow(/invalid req frame/);
  });

  it('closes connect params at every level and enforces the real enums', () => {
    const valid = {
      minProtocol: 4, maxProtocol: 4, role: 'operator', scopes: [], caps: ['tool-events'],
      client: { id: 'gateway-client', version: '1', platform: 'linux', mode: 'backend' },
    };
    expect(ConnectParams.safeParse(valid).success).toBe(true);
    expect(ConnectParams.safeParse({ ...valid, client: { ...valid.client, mode: 'operator' } }).success).toBe(false);
    expect(ConnectParams.safeParse({ ...valid, client: { ...valid.client, id: 'ios-node' } }).success).toBe(false);
    expect(ConnectParams.safeParse({ ...valid, client: { ...valid.client, extra: 1 } }).success).toBe(false);
    expect(ConnectParams.safeParse({ ...valid, auth: { token: 't', bearer: 'x' } }).success).toBe(false);
  });
});
