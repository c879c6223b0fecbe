// Checks a script's usage record before it is queued (so a bad one throws at the call site, naming the
// field, instead of poisoning a batch later) and turns it into the wire record: id, agent, task, ISO time.

import { randomUUID } from 'node:crypto';
import { ValidationError } from './errors.ts';
import type { UsageRecordInput, WireUsageRecord } from './protocol.ts';

const TOKEN_FIELDS = ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'cacheWrite1hTokens', 'reasoningTokens'] as const;
const MAX_TOKENS_PER_RECORD = 1_000_000_000;

function invalid(index: number, field: string, message: string): ValidationError {
  const path = `${index}.${field}`;
  return new ValidationError(`usage record ${path}: ${message}`, { code: 'VALIDATION_FAILED', details: [{ path, message }] });
}

function checkRecord(record: UsageRecordInput, index: number): void {
  if (typeof record !== 'object' || record === null) throw invalid(index, '', 'must be an object');
  if (typeof record.model !== 'string' || record.model.trim() === '') throw invalid(index, 'model', 'must be a non-empty string ("unknown" if the tool did not say)');
  for (const field of TOKEN_FIELDS) {
    const value = record[field];
    if (value === undefined && field !== 'inputTokens' && field !== 'outputTokens') continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_TOKENS_PER_RECORD) {
      throw invalid(index, field, `must be an integer between 0 and ${MAX_TOKENS_PER_RECORD}`);
    }
  }
  if ((record.cacheWrite1hTokens ?? 0) > (record.cacheWriteTokens ?? 0)) throw invalid(index, 'cacheWrite1hTokens', 'must not exceed cacheWriteTokens');
  if (record.id !== undefined && (typeof record.id !== 'string' || record.id.length === 0 || record.id.length > 128)) {
    throw invalid(index, 'id', 'must be a string of 1 to 128 characters');
  }
  if (record.costUsd !== undefined && (typeof record.costUsd !== 'number' || !Number.isFinite(record.costUsd) || record.costUsd < 0)) {
    throw invalid(index, 'costUsd', 'must be a number >= 0');
  }
  if (record.occurredAt instanceof Date && Number.isNaN(record.occurredAt.getTime())) throw invalid(index, 'occurredAt', 'is an invalid Date');
}

/** Validates every record first (all or nothing), then converts them. */
export function toWireRecords(input: UsageRecordInput | UsageRecordInput[], agent: string, currentTaskId: string | null): WireUsageRecord[] {
  const records = Array.isArray(input) ? input : [input];
  records.forEach(checkRecord);
  return records.map((record) => {
    const { occurredAt, id, taskId, ...rest } = record;
    const wire: WireUsageRecord = { id: id ?? `sdk:${randomUUID()}`, ...rest, agent };
    const task = taskId ?? currentTaskId ?? undefined;
    if (task !== undefined) wire.taskId = task;
    if (occurredAt !== undefined) wire.occurredAt = occurredAt instanceof Date ? occurredAt.toISOString() : occurredAt;
    for (const key of Object.keys(wire) as Array<keyof WireUsageRecord>) if (wire[key] === undefined) delete wire[key];
    return wire;
  });
}
