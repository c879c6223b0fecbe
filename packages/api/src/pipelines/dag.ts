// Pipeline templates are DAGs of steps: keys unique, dependencies known, no cycles, every {{variable}}
// declared. Pure functions; errors are VALIDATION_FAILED with the offending path.
import { type ErrorDetail, validationFailed } from '../errors.ts';
import type { PipelineStep, PipelineVariable } from './schema.ts';

const PLACEHOLDER = /\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g;

/** Variable names used as {{name}} in a text. */
export function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}

/** Replaces {{name}} with its value; unknown names are left as they are (validated before). */
export function render(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
}

/** Depth of each step (0 = no dependencies), in a topological order. Throws on any defect. */
export function validateDag(steps: readonly Pick<PipelineStep, 'key' | 'dependsOn'>[]): { order: string[]; depth: Record<string, number> } {
  const details: ErrorDetail[] = [];
  const index = new Map<string, number>();
  steps.forEach((step, i) => {
    if (index.has(step.key)) details.push({ path: `steps.${i}.key`, message: `duplicate step key "${step.key}"` });
    else index.set(step.key, i);
  });
  steps.forEach((step, i) => {
    for (const dep of step.dependsOn) {
      if (dep === step.key) details.push({ path: `steps.${i}.dependsOn`, message: `step "${step.key}" cannot depend on itself` });
      else if (!index.has(dep)) details.push({ path: `steps.${i}.dependsOn`, message: `step "${step.key}" depends on unknown step "${dep}"` });
    }
  });
  if (details.length) throw validationFailed(`steps: ${details.map((d) => d.message).join('; ')}`, details);
  // Kahn's algorithm; whatever is left over sits on a cycle.
  const remaining = new Map(steps.map((s) => [s.key, new Set(s.dependsOn)]));
  const depth: Record<string, number> = {};
  const order: string[] = [];
  let frontier = steps.filter((s) => s.dependsOn.length === 0).map((s) => s.key);
  for (const key of frontier) depth[key] = 0;
  while (frontier.length) {
    const next: string[] = [];
    for (const key of frontier) {
      order.push(key);
      remaining.delete(key);
    }
    for (const [key, deps] of remaining) {
      for (const done of frontier) deps.delete(done);
      if (deps.size === 0 && depth[key] === undefined) {
        const step = steps[index.get(key) as number] as Pick<PipelineStep, 'dependsOn'>;
        depth[key] = Math.max(...step.dependsOn.map((d) => depth[d] ?? 0)) + 1;
        next.push(key);
      }
    }
    frontier = next;
  }
  if (remaining.size) {
    const cycle = [...remaining.keys()];
    const message = `steps ${cycle.map((k) => `"${k}"`).join(', ')} form a cycle; a pipeline must be a DAG`;
    throw validationFailed(`steps: ${message}`, cycle.map((k) => ({ path: `steps.${index.get(k)}.dependsOn`, message })));
  }
  return { order, depth };
}

/** Every {{name}} in a step must be a declared variable; names unique. */
export function validateVariables(steps: readonly PipelineStep[], variables: readonly PipelineVariable[]): void {
  const details: ErrorDetail[] = [];
  const declared = new Set<string>();
  variables.forEach((v, i) => {
    if (declared.has(v.name)) details.push({ path: `variables.${i}.name`, message: `duplicate variable "${v.name}"` });
    declared.add(v.name);
  });
  steps.forEach((step, i) => {
    for (const field of ['title', 'description'] as const) {
      for (const name of placeholders(step[field])) {
        if (!declared.has(name)) details.push({ path: `steps.${i}.${field}`, message: `{{${name}}} is not a declared variable` });
      }
    }
  });
  if (details.length) throw validationFailed(`variables: ${details.map((d) => d.message).join('; ')}`, details);
}

/** The values a run uses: defaults, overridden by the given ones. Missing or unknown names are a 400 listing them. */
export function resolveVariables(variables: readonly PipelineVariable[], given: Record<string, string>): Record<string, string> {
  const known = new Set(variables.map((v) => v.name));
  const unknown = Object.keys(given).filter((name) => !known.has(name));
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const v of variables) {
    const value = given[v.name] ?? v.default ?? undefined;
    if (value === undefined) missing.push(v.name);
    else values[v.name] = value;
  }
  const details: ErrorDetail[] = [
    ...missing.map((name) => ({ path: `variables.${name}`, message: 'is required (the template has no default)' })),
    ...unknown.map((name) => ({ path: `variables.${name}`, message: 'is not a variable of this template' })),
  ];
  if (details.length) {
    const parts = [missing.length ? `missing variables: ${missing.join(', ')}` : '', unknown.length ? `unknown variables: ${unknown.join(', ')}` : ''];
    throw validationFailed(parts.filter(Boolean).join('; '), details);
  }
  return values;
}
