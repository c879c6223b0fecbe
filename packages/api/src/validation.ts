// zod issues → VALIDATION_FAILED with one detail per field, messages a person can act on.
import type { z } from 'zod';
import { DomainError, type ErrorDetail } from './errors.ts';

export function issuesToDetails(issues: readonly z.core.$ZodIssue[]): ErrorDetail[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(body)', message: issue.message }));
}

export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = issuesToDetails(result.error.issues);
  const first = details[0];
  throw new DomainError('VALIDATION_FAILED', first ? `${first.path}: ${first.message}` : 'Invalid input', details);
}
