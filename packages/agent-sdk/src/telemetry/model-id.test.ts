// normalizeModelId examples of TELEMETRY.md §5.1.

import { describe, expect, it } from 'vitest';
import { normalizeModelId } from './model-id.ts';

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
