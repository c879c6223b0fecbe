import { describe, expect, it } from 'vitest';
import { classifyAddress, pinDestination, refusalFor, type ResolveHost } from './address-policy.ts';

const resolveTo = (...addresses: string[]): ResolveHost => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('webhook address policy (SSRF guard)', () => {
  it.each([
    ['169.254.169.254', 'metadata'], ['fd00:ec2::254', 'metadata'], ['169.254.10.1', 'link-local'], ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified'], ['0.1.2.3', 'unspecified'], ['::', 'unspecified'], ['224.0.0.1', 'multicast'], ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'], ['240.0.0.1', 'reserved'], ['127.0.0.1', 'loopback'], ['127.255.0.9', 'loopback'], ['::1', 'loopback'],
    ['10.1.2.3', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'], ['100.64.0.1', 'private'],
    ['fc00::1', 'private'], ['fd12:3456::1', 'private'], ['8.8.8.8', 'public'], ['172.32.0.1', 'public'], ['2606:4700::1111', 'public'],
    // IPv4 hidden inside IPv6 is classified as the IPv4 it carries.
    ['::ffff:169.254.169.254', 'metadata'], ['::ffff:7f00:1', 'loopback'], ['64:ff9b::a00:1', 'private'], ['[::ffff:10.0.0.1]', 'private'],
  ])('classifies %s as %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it('always refuses link-local and metadata, and private/loopback unless allowed', () => {
    expect(refusalFor('169.254.169.254', true)).toMatch(/metadata address, which webhooks may never reach/);
    expect(refusalFor('fe80::1', true)).toMatch(/link-local/);
    expect(refusalFor('10.0.0.1', false)).toMatch(/private address; enable "allow private network"/);
    expect(refusalFor('127.0.0.1', false)).toMatch(/loopback/);
    expect(refusalFor('10.0.0.1', true)).toBeNull();
    expect(refusalFor('93.184.215.14', false)).toBeNull();
  });

  it('refuses a hostname that resolves to a private address', async () => {
    await expect(pinDestination(new URL('https://hooks.example.com/x'), false, resolveTo('10.0.0.7'))).rejects.toThrow(
      'hooks.example.com resolves to 10.0.0.7 is a private address',
    );
    await expect(pinDestination(new URL('https://evil.example/x'), true, resolveTo('169.254.169.254'))).rejects.toThrow(/metadata/);
  });

  it('pins an allowed address and never a refused sibling from the same answer', async () => {
    const pinned = await pinDestination(new URL('https://mixed.example/'), false, resolveTo('169.254.169.254', '10.0.0.1', '93.184.215.14'));
    expect(pinned).toEqual({ address: '93.184.215.14', family: 4 });
  });

  it('checks IP literals without DNS, and reports DNS failures', async () => {
    const noDns: ResolveHost = async () => {
      throw new Error('should not resolve');
    };
    await expect(pinDestination(new URL('http://[::1]:8080/'), true, noDns)).resolves.toEqual({ address: '::1', family: 6 });
    // The URL parser normalises odd IPv4 spellings before we look at them.
    await expect(pinDestination(new URL('http://2130706433/'), false, noDns)).rejects.toThrow(/127\.0\.0\.1 is a loopback/);
    await expect(pinDestination(new URL('http://0x7f.1/'), false, noDns)).rejects.toThrow(/loopback/);
    const failing: ResolveHost = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    await expect(pinDestination(new URL('https://nowhere.invalid/'), false, failing)).rejects.toThrow('DNS lookup of nowhere.invalid failed: ENOTFOUND');
  });
});
