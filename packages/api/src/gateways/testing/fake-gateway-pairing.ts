// The fake gateway's device registry: pending pairing requests, approved devices and their device
// tokens (GATEWAY.md §5.2). In memory; survives fake restarts like the real gateway's state dir.
import { randomBytes, randomUUID } from 'node:crypto';

export type PendingPairing = {
  requestId: string;
  deviceId: string;
  publicKey: string;
  clientId: string;
  clientMode: string;
  platform: string;
  displayName: string | null;
  role: string;
  scopes: string[];
  reason: 'not-paired' | 'scope-upgrade';
  ts: number;
};

export type PairedDevice = {
  deviceId: string;
  publicKey: string;
  scopes: string[];
  deviceToken: string | null;
  issuedAtMs: number | null;
  approvedVia: 'owner' | 'silent';
};

export type PairingRegistry = {
  /** Returns the open request for this device, replacing it when role/scopes/key changed (§5.2 step 3). */
  request(input: Omit<PendingPairing, 'requestId' | 'ts'>): PendingPairing;
  /** Approves `requestId`, or the newest pending request; null when there is none. */
  approve(requestId?: string): { request: PendingPairing; device: PairedDevice } | null;
  pairSilently(input: { deviceId: string; publicKey: string; scopes: string[] }): PairedDevice;
  pending(): PendingPairing[];
  paired(deviceId: string): PairedDevice | undefined;
  /** Makes sure the device has a token, issuing one when needed. */
  ensureToken(deviceId: string): PairedDevice | undefined;
  revokeToken(deviceId: string): void;
};

export function createPairingRegistry(now: () => number): PairingRegistry {
  const pendingByDevice = new Map<string, PendingPairing>();
  const devices = new Map<string, PairedDevice>();

  function issue(device: PairedDevice): PairedDevice {
    device.deviceToken = `fake-dt-${randomBytes(18).toString('base64url')}`;
    device.issuedAtMs = now();
    return device;
  }

  return {
    request(input) {
      const existing = pendingByDevice.get(input.deviceId);
      if (existing && existing.role === input.role && existing.publicKey === input.publicKey && existing.scopes.join(',') === input.scopes.join(',')) {
        return existing;
      }
      const created: PendingPairing = { ...input, requestId: randomUUID(), ts: now() };
      pendingByDevice.set(input.deviceId, created);
      return created;
    },
    approve(requestId) {
      const all = [...pendingByDevice.values()].sort((a, b) => b.ts - a.ts);
      const request = requestId === undefined ? all[0] : all.find((entry) => entry.requestId === requestId);
      if (request === undefined) return null;
      pendingByDevice.delete(request.deviceId);
      const device = issue({ deviceId: request.deviceId, publicKey: request.publicKey, scopes: [...request.scopes], deviceToken: null, issuedAtMs: null, approvedVia: 'owner' });
      devices.set(device.deviceId, device);
      return { request, device };
    },
    pairSilently(input) {
      const device = issue({ ...input, scopes: [...input.scopes], deviceToken: null, issuedAtMs: null, approvedVia: 'silent' });
      devices.set(device.deviceId, device);
      return device;
    },
    pending: () => [...pendingByDevice.values()].map((entry) => ({ ...entry, scopes: [...entry.scopes] })),
    paired: (deviceId) => devices.get(deviceId),
    ensureToken(deviceId) {
      const device = devices.get(deviceId);
      if (device !== undefined && device.deviceToken === null) issue(device);
      return device;
    },
    revokeToken(deviceId) {
      const device = devices.get(deviceId);
      if (device !== undefined) {
        device.deviceToken = null;
        device.issuedAtMs = null;
      }
    },
  };
}
