import { describe, expect, it } from 'vitest';
import { canRetry, gatewayStatusLabel, hasGatewayScope, isGatewayUrl } from '../gateways/gateway-format';
import { failureLevel, failureText, formatDuration, runStatusLabel } from './cron-format';

describe('cron text', () => {
  it('calls out failures in a row: a warning from one, an alert from three', () => {
    expect([0, 1, 2, 3, 7].map(failureLevel)).toEqual(['none', 'warning', 'warning', 'alert', 'alert']);
    expect([0, 1, 3].map(failureText)).toEqual(['None', '1 failure', '3 failures in a row']);
  });

  it('formats durations and run statuses', () => {
    expect([null, 336, 1_600, 42_000, 185_000, 7_260_000].map(formatDuration)).toEqual([
      '—',
      '336 ms',
      '1.6 s',
      '42 s',
      '3 min 5 s',
      '2 h 1 min',
    ]);
    expect([runStatusLabel('ok'), runStatusLabel('error'), runStatusLabel('weird')]).toEqual(['Succeeded', 'Failed', 'weird']);
  });
});

describe('gateway text and scopes', () => {
  it('labels every status in words', () => {
    expect(gatewayStatusLabel('ready')).toBe('Connected');
    expect(gatewayStatusLabel('backoff')).toBe('Reconnecting…');
    expect(gatewayStatusLabel('pairing_required')).toBe('Pairing required');
  });

  it('accepts only ws:// and wss:// URLs', () => {
    expect(isGatewayUrl('ws://127.0.0.1:18789')).toBe(true);
    expect(isGatewayUrl('wss://gw.example.lan')).toBe(true);
    expect(isGatewayUrl('http://127.0.0.1:18789')).toBe(false);
    expect(isGatewayUrl('127.0.0.1:18789')).toBe(false);
  });

  it('treats operator.admin as every scope and write as read (GATEWAY.md §6)', () => {
    expect(hasGatewayScope(['operator.admin'], 'operator.write')).toBe(true);
    expect(hasGatewayScope(['operator.write'], 'operator.read')).toBe(true);
    expect(hasGatewayScope(['operator.read', 'operator.write'], 'operator.admin')).toBe(false);
  });

  it('offers "Retry now" only for an enabled gateway that is not connected', () => {
    const base = { status: 'unreachable' } as Parameters<typeof canRetry>[0];
    expect(canRetry(base)).toBe(true);
    expect(canRetry({ ...base, status: 'ready' })).toBe(false);
    expect(canRetry({ ...base, status: 'disabled' })).toBe(false);
  });
});
