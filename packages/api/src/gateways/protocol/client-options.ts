// Public types of the gateway client: options, callbacks, the handle it returns. No behaviour.
import type { BackoffOptions } from './backoff.ts';
import type { GatewayClientState } from './client-state.ts';
import type { DeviceIdentity } from './device-identity.ts';
import type { SequenceGap } from './event-sequence.ts';
import type { HelloOk, StateVersion } from './frames.ts';

export type GatewayLogger = {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
};

export type GatewayEvent = {
  event: string;
  payload: unknown;
  seq?: number;
  stateVersion?: StateVersion;
  /** set when frame seq jumped: events were dropped for us; resync (re-list, reload) */
  gap?: SequenceGap;
};

export type DeviceTokenIssued = { deviceToken: string; scopes: string[]; issuedAtMs: number };

export type GatewayClientOptions = {
  url: string;
  auth: { token?: string; password?: string };
  identity: DeviceIdentity;
  deviceToken?: string | null;
  scopes?: string[];
  clientVersion: string;
  log: GatewayLogger;
  now?: () => number;
  random?: () => number;
  rpcTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
  pairingRetryMs?: number;
  /** process.platform by default; part of the v3 signature */
  platform?: string;
  displayName?: string;
  onState?(state: GatewayClientState): void;
  onEvent?(event: GatewayEvent): void;
  onHello?(hello: HelloOk): void;
  onDeviceToken?(issued: DeviceTokenIssued): void;
  /** the gateway rejected our stored device token (revoked/rotated): the caller should forget it */
  onDeviceTokenRejected?(): void;
};

export type GatewayClient = {
  start(): void;
  stop(): Promise<void>;
  call(method: string, params?: unknown, options?: { timeoutMs?: number }): Promise<unknown>;
  /** Skips a pending wait (backoff, pairing, auth/protocol stop) and connects now. */
  retryNow(): void;
  state(): GatewayClientState;
};

export const DEFAULT_SCOPES = ['operator.read', 'operator.write'];
