// Host allowlist (MC_ALLOWED_HOSTS): defeats DNS rebinding. Loopback names are always allowed.
export function hostName(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null;
  const host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

export function isAllowedHost(hostHeader: string | undefined, allowedHosts: readonly string[]): boolean {
  const name = hostName(hostHeader);
  if (name === null) return false;
  if (name === 'localhost' || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name)) return true;
  if (allowedHosts.length === 0) return false;
  return allowedHosts.some((allowed) => allowed === '*' || allowed === name || (allowed.startsWith('*.') && name.endsWith(allowed.slice(1))));
}
