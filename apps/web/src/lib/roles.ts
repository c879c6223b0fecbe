// Role order shared by every role-aware control: viewer < operator < admin (ARCHITECTURE.md §5).
import type { Role } from './trpc';

export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

const ROLE_RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function hasRole(actual: Role | undefined, required: Role): boolean {
  return actual !== undefined && ROLE_RANK[actual] >= ROLE_RANK[required];
}

export function roleLabel(role: Role): string {
  return role.charAt(0).toUpperCase() + role.slice(1);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
