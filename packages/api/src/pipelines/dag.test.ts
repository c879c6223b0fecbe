import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import { render, resolveVariables, validateDag, validateVariables } from './dag.ts';
import { PipelineStep, RunStartInput, TemplateCreateInput } from './schema.ts';

const step = (key: string, dependsOn: string[] = [], title = key) => PipelineStep.parse({ key, title, dependsOn });
const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
};

describe('pipeline DAG validation', () => {
  it('orders steps and gives each its depth (branching and joining)', () => {
    const { order, depth } = validateDag([step('merge', ['review', 'docs']), step('spec'), step('impl', ['spec']), step('docs', ['spec']), step('review', ['impl'])]);
    expect(order[0]).toBe('spec');
    expect(order.at(-1)).toBe('merge');
    expect(depth).toEqual({ spec: 0, impl: 1, docs: 1, review: 2, merge: 3 });
  });

  it('refuses a cycle and names the steps on it', () => {
    const error = errorOf(() => validateDag([step('a', ['c']), step('b', ['a']), step('c', ['b']), step('d')]));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(/"a", "b", "c" form a cycle/);
    expect(error.details?.map((d) => d.path)).toEqual(['steps.0.dependsOn', 'steps.1.dependsOn', 'steps.2.dependsOn']);
  });

  it('refuses self-dependencies, unknown dependencies and duplicate keys', () => {
    expect(errorOf(() => validateDag([step('a', ['a'])])).message).toMatch(/cannot depend on itself/);
    expect(errorOf(() => validateDag([step('a', ['ghost'])])).message).toMatch(/unknown step "ghost"/);
    expect(errorOf(() => validateDag([step('a'), step('a')])).details?.[0]).toEqual({ path: 'steps.1.key', message: 'duplicate step key "a"' });
  });

  it('handles a 200-step chain, and the schema refuses 1,000 steps with a clear message', () => {
    const chain = Array.from({ length: 200 }, (_, i) => step(`s${i}`, i ? [`s${i - 1}`] : []));
    expect(validateDag(chain).depth.s199).toBe(199);
    const parsed = TemplateCreateInput.safeParse({ name: 'huge', steps: Array.from({ length: 1000 }, (_, i) => ({ key: `s${i}`, title: 't' })) });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['steps'], message: 'at most 200 steps per template' });
  });
});

describe('pipeline variables', () => {
  it('refuses placeholders that are not declared variables', () => {
    const error = errorOf(() => validateVariables([step('a', [], 'Fix {{repo}} in {{branch}}')], [{ name: 'repo' }]));
    expect(error.details).toEqual([{ path: 'steps.0.title', message: '{{branch}} is not a declared variable' }]);
  });

  it('lists every missing and unknown variable of a run', () => {
    const error = errorOf(() => resolveVariables([{ name: 'repo' }, { name: 'branch' }, { name: 'env', default: 'prod' }], { extra: 'x' }));
    expect(error.message).toBe('missing variables: repo, branch; unknown variables: extra');
    expect(error.details?.map((d) => d.path)).toEqual(['variables.repo', 'variables.branch', 'variables.extra']);
  });

  it('renders values over defaults and leaves other braces alone', () => {
    const values = resolveVariables([{ name: 'repo' }, { name: 'env', default: 'prod' }], { repo: 'mc' });
    expect(render('Deploy {{ repo }} to {{env}} ({{not a var}})', values)).toBe('Deploy mc to prod ({{not a var}})');
  });

  it('refuses bad variable names and values over 10 KB in the run input schema', () => {
    const parsed = TemplateCreateInput.safeParse({ name: 'x', steps: [{ key: 'a', title: 'a' }], variables: [{ name: '1bad' }] });
    expect(parsed.success).toBe(false);
    const big = RunStartInput.safeParse({ template: 't', variables: { repo: 'x'.repeat(10_241) } });
    expect(big.error?.issues[0]?.message).toBe('must be at most 10,240 characters (10 KB)');
  });
});
