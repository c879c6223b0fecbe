// What the wrappers add to the tool's arguments, and only when the user did not choose a format.
import { describe, expect, it } from 'vitest';
import { parseWrapperOptions } from './cli-options.ts';
import { readTomlModel } from './codex-settings.ts';
import { planClaudeArgs } from './run-claude.ts';
import { planCodexArgs } from './run-codex.ts';

describe('mc-agent options', () => {
  it('takes its own options up to -- or the first token that is not its own', () => {
    expect(parseWrapperOptions(['--name', 'a1', '--url=http://x', '--', '-p', '--name'])).toMatchObject({ name: 'a1', url: 'http://x', rest: ['-p', '--name'] });
    expect(parseWrapperOptions(['-p', 'hello', '--name', 'x'])).toMatchObject({ name: undefined, rest: ['-p', 'hello', '--name', 'x'] });
  });
});

describe('claude arguments', () => {
  it('adds stream-json and --verbose to -p runs without a format, before a -- terminator', () => {
    expect(planClaudeArgs(['-p', 'hi'])).toMatchObject({ mode: 'render', args: ['-p', 'hi', '--output-format', 'stream-json', '--verbose'] });
    expect(planClaudeArgs(['--print', '--verbose', '--', '-weird prompt'])).toMatchObject({
      mode: 'render', args: ['--print', '--verbose', '--output-format', 'stream-json', '--', '-weird prompt'],
    });
  });

  it('leaves a chosen format and interactive sessions alone, reading stream-json only', () => {
    expect(planClaudeArgs(['-p', 'x', '--output-format=stream-json', '--verbose'])).toMatchObject({ mode: 'parse', args: ['-p', 'x', '--output-format=stream-json', '--verbose'] });
    expect(planClaudeArgs(['-p', 'x', '--output-format', 'text'])).toMatchObject({ mode: 'none' });
    expect(planClaudeArgs(['--model', 'opus'])).toMatchObject({ mode: 'none', interactive: true, args: ['--model', 'opus'] });
  });

  it('recognizes resumed sessions, with the session id when given', () => {
    expect(planClaudeArgs(['-p', 'x', '--resume', 'abc'])).toMatchObject({ resumed: true, resumeSessionId: 'abc' });
    expect(planClaudeArgs(['-p', 'x', '-c'])).toMatchObject({ resumed: true, resumeSessionId: null });
  });
});

describe('codex arguments', () => {
  it('adds --json right after exec (also after global options), and knows exec resume', () => {
    expect(planCodexArgs(['-m', 'o3', 'exec', 'fix it'])).toMatchObject({ mode: 'render', args: ['-m', 'o3', 'exec', '--json', 'fix it'] });
    expect(planCodexArgs(['e', 'resume', '--last'])).toMatchObject({ mode: 'render', resumed: true, args: ['e', '--json', 'resume', '--last'] });
    expect(planCodexArgs(['exec', '--json', 'x'])).toMatchObject({ mode: 'parse', args: ['exec', '--json', 'x'] });
  });

  it('leaves interactive codex alone, even with a prompt that says exec later', () => {
    expect(planCodexArgs(['write the exec function'])).toMatchObject({ mode: 'none', exec: false });
    expect(planCodexArgs(['-p', 'exec', 'hi'])).toMatchObject({ mode: 'none' }); // -p takes a value: the profile "exec"
  });

  it('reads model from config.toml: the profile first, then the top level', () => {
    const toml = 'model = "gpt-5"\n[profiles."deep"]\nmodel = \'o3\' # comment\n[other]\nmodel = "ignored"\n';
    expect(readTomlModel(toml, 'deep')).toBe('o3');
    expect(readTomlModel(toml, 'missing')).toBe('gpt-5');
    expect(readTomlModel('', undefined)).toBeUndefined();
  });
});
