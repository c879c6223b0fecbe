import { describe, expect, it } from 'vitest';
import { safeNextPath } from './safe-next-path';

describe('safeNextPath', () => {
  it('keeps same-origin paths with their query', () => {
    expect(safeNextPath('/settings/api-keys?tab=1')).toBe('/settings/api-keys?tab=1');
  });

  it('refuses other origins, protocol-relative and backslash tricks', () => {
    for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'settings', '']) {
      expect(safeNextPath(next)).toBe('/');
    }
  });

  it('never sends the user back to /login or /setup', () => {
    expect(safeNextPath('/login?next=/x')).toBe('/');
    expect(safeNextPath('/setup?token=abc')).toBe('/');
  });

  it('takes the first of repeated parameters and defaults to /', () => {
    expect(safeNextPath(['/settings', '//evil'])).toBe('/settings');
    expect(safeNextPath(undefined)).toBe('/');
  });
});
