// Sealing of a gateway's secrets at rest (crypto/secret-box.ts). The associated data binds each sealed
// value to its gateway row and purpose, so a value copied to another row or column does not open.
import { openSecret, sealSecret } from '../crypto/secret-box.ts';
import { createDeviceIdentity, type DeviceIdentity, deserializeDeviceIdentity, serializeDeviceIdentity } from './protocol/device-identity.ts';

type Purpose = 'secret' | 'identity' | 'device-token';
const context = (gatewayId: string, purpose: Purpose) => `gateway:${gatewayId}:${purpose}`;

export function sealGatewaySecret(key: Buffer, gatewayId: string, purpose: Purpose, plaintext: string): string {
  return sealSecret(key, plaintext, context(gatewayId, purpose));
}

export function openGatewaySecret(key: Buffer, gatewayId: string, purpose: Purpose, sealed: string | null): string | null {
  return sealed === null ? null : openSecret(key, sealed, context(gatewayId, purpose));
}

export function sealNewIdentity(key: Buffer, gatewayId: string): string {
  return sealGatewaySecret(key, gatewayId, 'identity', JSON.stringify(serializeDeviceIdentity(createDeviceIdentity())));
}

export function openIdentity(key: Buffer, gatewayId: string, sealed: string): DeviceIdentity {
  return deserializeDeviceIdentity(JSON.parse(openSecret(key, sealed, context(gatewayId, 'identity'))));
}
