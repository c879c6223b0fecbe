// normalizeModelId (TELEMETRY.md §5.1 examples, same as the agent SDK's) and the resolution order.

import { describe, expect, it } from 'vitest';
import { normalizeModelId, resolveModel } from './model-resolution.ts';

describe('normalizeModelId', () => {
  it.each([
    ['us.anthropic.claude-opus-4-1-20250805-v1:0', 'claude-opus-4-1'],
    ['anthropic/claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['gpt-5-2025-08-07', 'gpt-5'],
    ['glm-4.6', 'glm-4.6'],
    ['claude-sonnet-4-5-20250929[1m]', 'claude-sonnet-4-5'],
    ['vertex_ai/claude-opus-4-1@20250805', 'claude-opus-4-1'],
    ['bedrock/anthropic.claude-3-7-sonnet-20250219-v1:0', 'claude-3-7-sonnet'],
    ['openai/azure/GPT-5', 'gpt-5'],
    ['global.anthropic.claude-haiku-4-5-20251001-v1', 'claude-haiku-4-5'],
  ])('%s → %s', (id, normalized) => {
    expect(normalizeModelId(id)).toBe(normalized);
  });
});

describe('resolveModel', () => {
  const table = {
    models: new Map<string, unknown>([
      ['a', {}],
      ['B-20250101', {}],
    ]),
    aliases: new Map([
      ['a-latest', 'a'],
      ['x', 'B-20250101'],
    ]),
  };

  it('tries exact key, alias, normalized key, alias of the normalized id, then gives up', () => {
    expect(resolveModel(table, 'B-20250101')).toBe('B-20250101');
    expect(resolveModel(table, 'a-latest')).toBe('a');
    expect(resolveModel(table, 'openai/a-20250101')).toBe('a');
    expect(resolveModel(table, 'openai/A-Latest')).toBe('a');
    expect(resolveModel(table, 'b')).toBeNull();
    expect(resolveModel(table, 'nope')).toBeNull();
  });
});
