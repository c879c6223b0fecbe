import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGateway, startFakeGateway } from '../testing/fake-gateway.ts';
import { loadFakeGatewayFixtures } from '../testing/fake-gateway-fixtures.ts';
import { createTestClient } from '../testing/gateway-client-harness.ts';
import { classifyConnectError, describeClose } from './connect-errors.ts';
import { GatewayErrorShape } from './frames.ts';

const fixtures = loadFakeGatewayFixtures();

/** errors.json connect.* → the state the client must end in and a phrase of the hint it shows. */
const EXPECTED: Record<string, { status: string; code: string; hint: RegExp }> = {
  protocol_mismatch: { status: 'protocol_mismatch', code: 'PROTOCOL_MISMATCH', hint: /upgrade the gateway/ },
  token_mismatch: { status: 'auth_failed', code: 'AUTH_TOKEN_MISMATCH', hint: /gateway token is wrong/ },
  first_frame_not_connect: { status: 'protocol_mismatch', code: 'INVALID_REQUEST', hint: /incompatible openclaw version/ },
  unknown_client_id: { status: 'protocol_mismatch', code: 'INVALID_REQUEST', hint: /incompatible openclaw version/ },
  invalid_client_mode: { status: 'protocol_mismatch', code: 'INVALID_REQUEST', hint: /incompatible openclaw version/ },
  device_identity_required: { status: 'auth_failed', code: 'DEVICE_IDENTITY_REQUIRED', hint: /signed device and a usable credential/ },
  control_ui_requires_device: { status: 'auth_failed', code: 'CONTROL_UI_DEVICE_IDENTITY_REQUIRED', hint: /Control UI/ },
  origin_not_allowed: { status: 'auth_failed', code: 'CONTROL_UI_ORIGIN_NOT_ALLOWED', hint: /origin/ },
  control_ui_build_mismatch: { status: 'protocol_mismatch', code: 'PROTOCOL_MISMATCH', hint: /must connect as gateway-client/ },
  device_token_scope_mismatch: { status: 'auth_failed', code: 'AUTH_SCOPE_MISMATCH', hint: /approved for fewer scopes/ },
  pairing_required: { status: 'pairing_required', code: 'PAIRING_REQUIRED', hint: /openclaw devices approve 2baccbbf-1070-4990-bd6c-f04b9ec2b0d4/ },
  pairing_required_backend: { status: 'pairing_required', code: 'PAIRING_REQUIRED', hint: /openclaw devices approve 4b3563d6-a4f6-4fad-aea2-e8009340588d/ },
  startup_unavailable: { status: 'backoff', code: 'UNAVAILABLE', hint: /starting/ },
  device_signature_invalid: { status: 'auth_failed', code: 'DEVICE_AUTH_SIGNATURE_INVALID', hint: /signature/ },
  device_nonce_mismatch: { status: 'auth_failed', code: 'DEVICE_AUTH_NONCE_MISMATCH', hint: /nonce/ },
  device_id_mismatch: { status: 'auth_failed', code: 'DEVICE_AUTH_DEVICE_ID_MISMATCH', hint: /damaged/ },
  device_signature_expired: { status: 'auth_failed', code: 'DEVICE_AUTH_SIGNATURE_EXPIRED', hint: /clocks/ },
};

function statusOf(failure: ReturnType<typeof classifyConnectError>): string {
  if (failure.action === 'stop') return failure.status;
  if (failure.action === 'await-pairing') return 'pairing_required';
  return failure.action === 'retry' ? 'backoff' : 'auth_failed';
}

describe('connect error classification', () => {
  it('has an expectation for every captured connect error', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(fixtures.connectErrors).sort());
  });

  it.each(Object.keys(EXPECTED))('maps errors.json connect.%s to its state and hint', (name) => {
    const error = GatewayErrorShape.parse(fixtures.connectErrors[name]?.response.error);
    const failure = classifyConnectError(error, { deviceId: 'd'.repeat(64), requestedScopes: ['operator.read'] });
    const expected = EXPECTED[name];
    expect(statusOf(failure)).toBe(expected?.status);
    expect(failure.error.code).toBe(expected?.code);
    expect(failure.error.hint).toMatch(expected?.hint ?? /never/);
  });

  it('carries the pairing request id, device id, requested scopes and the approve command', () => {
    const error = GatewayErrorShape.parse(fixtures.connectErrors.pairing_required_backend?.response.error);
    const failure = classifyConnectError(error, { deviceId: 'ignored', requestedScopes: [] });
    expect(failure).toMatchObject({
      action: 'await-pairing',
      pauseReconnect: true,
      pairing: {
        requestId: '4b3563d6-a4f6-4fad-aea2-e8009340588d',
        deviceId: '56475aa75463474c0285df5dbf2bcab73da651358839e9b77481b2eab107708c',
        requestedScopes: ['operator.read', 'operator.write'],
        approveCommand: 'openclaw devices approve 4b3563d6-a4f6-4fad-aea2-e8009340588d',
      },
    });
  });

  it('keeps normal backoff when the gateway says pauseReconnect:false', () => {
    const failure = classifyConnectError(
      { code: 'NOT_PAIRED', message: 'pairing required', details: { code: 'PAIRING_REQUIRED', requestId: 'r', pauseReconnect: false } },
      { deviceId: 'd', requestedScopes: [] },
    );
    expect(failure).toMatchObject({ action: 'await-pairing', pauseReconnect: false });
  });

  it('drops a rejected device token and honours retryAfterMs of a rate limit', () => {
    const context = { deviceId: 'd', requestedScopes: [] };
    expect(classifyConnectError({ code: 'INVALID_REQUEST', message: 'x', details: { code: 'AUTH_DEVICE_TOKEN_MISMATCH' } }, context).action).toBe('drop-device-token');
    expect(classifyConnectError({ code: 'INVALID_REQUEST', message: 'x', retryable: true, retryAfterMs: 300_000, details: { code: 'AUTH_RATE_LIMITED' } }, context))
      .toMatchObject({ action: 'retry', retryAfterMs: 300_000 });
  });

  it('tells the user to upgrade Mission Control when the gateway expects a newer protocol', () => {
    const failure = classifyConnectError({ code: 'INVALID_REQUEST', message: 'protocol mismatch', details: { code: 'PROTOCOL_MISMATCH', expectedProtocol: 5 } }, { deviceId: 'd', requestedScopes: [] });
    expect(failure.error.hint).toMatch(/upgrade Mission Control/);
  });

  it('describes the closes of GATEWAY.md §9', () => {
    expect(describeClose(1012, 'service restart').error.code).toBe('GATEWAY_RESTARTING');
    expect(describeClose(1013, '').retryAfterMs).toBe(500);
    expect(describeClose(4001, 'gateway auth changed').error.code).toBe('GATEWAY_AUTH_CHANGED');
    expect(describeClose(1008, 'slow consumer').error.hint).toMatch(/fell behind/);
  });
});

describe('connect errors end to end against the fake gateway', () => {
  let gateway: FakeGateway;
  beforeAll(async () => {
    gateway = await startFakeGateway({ tickIntervalMs: 200 });
  });
  afterAll(() => gateway.close());

  it.each(Object.keys(EXPECTED))('ends in the expected state when the gateway answers connect.%s', async (name) => {
    gateway.rejectNextConnects(name);
    const harness = createTestClient(gateway.url, { backoff: { initialMs: 60_000, maxMs: 60_000, jitter: 0 } });
    harness.client.start();
    const expected = EXPECTED[name];
    // Read the state history, not the live state: a retryable error (startup) recovers on its own.
    const failed = () => harness.states.find((state) => state.lastError?.code === expected?.code);
    await expect.poll(failed, { timeout: 3_000 }).toBeDefined();
    const state = failed();
    expect(state?.status).toBe(expected?.status);
    expect(state?.lastError?.hint).toMatch(expected?.hint ?? /never/);
    if (state?.status === 'pairing_required') expect(state.pairing?.approveCommand).toMatch(/^openclaw devices approve /);
  });
});
