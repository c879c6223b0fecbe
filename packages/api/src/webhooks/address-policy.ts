// SSRF guard for webhook destinations. Link-local, cloud metadata, unspecified, multicast and reserved
// addresses are always refused; private, loopback and CGNAT ranges only when the webhook allows them.
// The host is resolved once; the request then connects to that pinned address (http-sender.ts), so a
// DNS answer that changes between check and connect (rebinding) can't redirect it.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local' | 'metadata' | 'unspecified' | 'multicast' | 'reserved';
export type ResolvedAddress = { address: string; family: 4 | 6 };
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolveHost: ResolveHost = async (hostname) => {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => ({ address: answer.address, family: answer.family === 6 ? 6 : 4 }));
};

const RULES: Array<[AddressClass, string, number, 'ipv4' | 'ipv6']> = [
  ['metadata', '169.254.169.254', 32, 'ipv4'],
  ['metadata', 'fd00:ec2::254', 128, 'ipv6'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['multicast', 'ff00::', 8, 'ipv6'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['loopback', '::1', 128, 'ipv6'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['private', '100.64.0.0', 10, 'ipv4'],
  ['private', 'fc00::', 7, 'ipv6'],
];
const LISTS = RULES.map(([addressClass, network, prefix, type]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, type);
  return { addressClass, list, type };
});

/** IPv4 embedded in an IPv6 address (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, compatible ::a.b.c.d). */
function embeddedIPv4(ipv6: string): string | null {
  const groups = expandIPv6(ipv6);
  if (!groups) return null;
  const head = groups.slice(0, 6).map((group) => group.toString(16)).join(':');
  const embedded = head === '0:0:0:0:0:ffff' || head === '64:ff9b:0:0:0:0' || (head === '0:0:0:0:0:0' && (groups[6] ?? 0) !== 0);
  if (!embedded) return null;
  const high = groups[6] ?? 0;
  const low = groups[7] ?? 0;
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

function expandIPv6(ipv6: string): number[] | null {
  let text = ipv6.toLowerCase().split('%')[0] ?? '';
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const parts = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${(((parts[0] ?? 0) << 8) | (parts[1] ?? 0)).toString(16)}:${(((parts[2] ?? 0) << 8) | (parts[3] ?? 0)).toString(16)}`;
  }
  const [left = '', right, ...extra] = text.split('::');
  if (extra.length) return null;
  const head = left ? left.split(':') : [];
  const tail = right ? right.split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (right === undefined ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(right === undefined ? 0 : missing).fill('0'), ...tail].map((group) => Number.parseInt(group, 16));
  return groups.length === 8 && groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : null;
}

export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 0) return 'reserved';
  if (family === 6) {
    const v4 = embeddedIPv4(bare);
    if (v4) return classifyAddress(v4);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const rule of LISTS) {
    if (rule.type === type && rule.list.check(bare, type)) return rule.addressClass;
  }
  if (family === 4 && bare === '255.255.255.255') return 'reserved';
  return 'public';
}

const ALWAYS_REFUSED: ReadonlySet<AddressClass> = new Set(['link-local', 'metadata', 'unspecified', 'multicast', 'reserved']);

/** Why `address` may not be contacted, or null when it may. */
export function refusalFor(address: string, allowPrivateNetwork: boolean): string | null {
  const addressClass = classifyAddress(address);
  if (ALWAYS_REFUSED.has(addressClass)) return `${address} is a ${addressClass} address, which webhooks may never reach`;
  if ((addressClass === 'private' || addressClass === 'loopback') && !allowPrivateNetwork) {
    return `${address} is a ${addressClass} address; enable "allow private network" on this webhook to reach it`;
  }
  return null;
}

export class DestinationRefusedError extends Error {
  override readonly name = 'DestinationRefusedError';
  /** DNS trouble may pass; a refused address won't change by retrying. */
  constructor(message: string, readonly retryable = false) {
    super(message);
  }
}

/** Resolves the URL's host once and returns the address to connect to, or throws DestinationRefusedError. */
export async function pinDestination(url: URL, allowPrivateNetwork: boolean, resolveHost: ResolveHost): Promise<ResolvedAddress> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host);
  let candidates: ResolvedAddress[];
  if (literal) {
    candidates = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      candidates = await resolveHost(host);
    } catch (error) {
      throw new DestinationRefusedError(`DNS lookup of ${host} failed: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, true);
    }
    if (candidates.length === 0) throw new DestinationRefusedError(`DNS lookup of ${host} returned no address`, true);
  }
  // Any allowed address will do: we connect to that one only, so a refused sibling is never contacted.
  let firstRefusal: string | null = null;
  for (const candidate of candidates) {
    const refusal = refusalFor(candidate.address, allowPrivateNetwork);
    if (!refusal) return candidate;
    firstRefusal ??= refusal;
  }
  throw new DestinationRefusedError(literal ? (firstRefusal ?? 'refused') : `${host} resolves to ${firstRefusal ?? 'a refused address'}`);
}
