// Task board inputs (tRPC and PROTOCOL.md §6 REST), shared with the web app. Imports zod only.
import { z } from 'zod';

export const TASK_STATUSES = ['inbox', 'backlog', 'todo', 'in_progress', 'review', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TASK_PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];
export const TASK_OUTCOMES = ['success', 'failed'] as const;

export const MAX_TITLE_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 50_000;
export const MAX_COMMENT_LENGTH = 10_000;
export const MAX_LABELS = 20;
export const MAX_DEPENDENCIES = 50;

export const TaskStatus = z.enum(TASK_STATUSES, { error: `must be one of ${TASK_STATUSES.join(', ')}` });
export const TaskPriority = z.enum(TASK_PRIORITIES, { error: `must be one of ${TASK_PRIORITIES.join(', ')}` });
export const TaskOutcome = z.enum(TASK_OUTCOMES, { error: 'must be success or failed' });

/** A task's id (uuid) or its number: 17, "17" or "#17". */
export const TaskRef = z
  .union([z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters'), z.number().int().positive()])
  .transform(String);

const title = z.string().trim().min(1, 'must not be empty').max(MAX_TITLE_LENGTH, `must be at most ${MAX_TITLE_LENGTH} characters`);
const description = z
  .string()
  .max(MAX_DESCRIPTION_LENGTH, `must be at most ${MAX_DESCRIPTION_LENGTH.toLocaleString('en-US')} characters (about 50 KB); attach long logs elsewhere and link them`);
const label = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(40, 'must be at most 40 characters')
  .regex(/^[^,\s][^,]*$/, 'must not contain commas');
const labels = z
  .array(label)
  .max(MAX_LABELS, `at most ${MAX_LABELS} labels`)
  .transform((values) => [...new Set(values)]);
const dueAt = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time' }).nullable();
const agentId = z.string().trim().min(1).max(64).nullable();
const dependsOn = z.array(TaskRef).max(MAX_DEPENDENCIES, `at most ${MAX_DEPENDENCIES} dependencies`);
const version = z.number({ error: 'must be the version you last saw (an integer)' }).int().positive();

export const TaskCreateInput = z.object({
  title,
  description: description.optional(),
  status: TaskStatus.optional(),
  priority: TaskPriority.optional(),
  labels: labels.optional(),
  dueAt: dueAt.optional(),
  assigneeAgentId: agentId.optional(),
  dependsOn: dependsOn.optional(),
  autoDone: z.boolean().optional(),
});
export type TaskCreateInput = z.output<typeof TaskCreateInput>;

export const TaskUpdateInput = z.object({
  id: TaskRef,
  expectedVersion: version,
  title: title.optional(),
  description: description.optional(),
  priority: TaskPriority.optional(),
  labels: labels.optional(),
  dueAt: dueAt.optional(),
  assigneeAgentId: agentId.optional(),
  dependsOn: dependsOn.optional(),
  autoDone: z.boolean().optional(),
});
export type TaskUpdateInput = z.output<typeof TaskUpdateInput>;

const rank = z.string().min(1).max(128, 'must be at most 128 characters');

/** Place the card after `afterId` or before `beforeId` (neighbours in the target column as the
 * client saw them); neither = end of the column. `rank` is for scripts that manage keys themselves. */
export const TaskMoveInput = z.object({
  id: TaskRef,
  expectedVersion: version.optional(),
  status: TaskStatus,
  afterId: TaskRef.nullish(),
  beforeId: TaskRef.nullish(),
  rank: rank.optional(),
  outcome: TaskOutcome.optional(),
});
export type TaskMoveInput = z.output<typeof TaskMoveInput>;

export const TaskCommentInput = z.object({
  id: TaskRef,
  body: z.string().trim().min(1, 'must not be empty').max(MAX_COMMENT_LENGTH, `must be at most ${MAX_COMMENT_LENGTH.toLocaleString('en-US')} characters`),
});
export type TaskCommentInput = z.output<typeof TaskCommentInput>;

/** Board and list filters; the web app mirrors them in the URL. */
export const TaskFilters = z.object({
  /** Agent id or name, or "unassigned". */
  assignee: z.string().trim().max(100).optional(),
  label: z.string().trim().max(40).optional(),
  priority: TaskPriority.optional(),
  text: z.string().trim().max(200).optional(),
  gateway: z.string().trim().max(100).optional(),
});
export type TaskFilters = z.output<typeof TaskFilters>;

export const TaskBoardInput = TaskFilters.extend({
  perColumn: z.number().int().min(1).max(500).default(100),
});
export type TaskBoardInput = z.output<typeof TaskBoardInput>;

/** With `status`: one column in board order (cursor = last rank). Without: search, newest first
 * (cursor = last number); `archived` widens it to archived tasks. */
export const TaskListInput = TaskFilters.extend({
  status: TaskStatus.optional(),
  archived: z.enum(['exclude', 'include', 'only']).default('exclude'),
  cursor: z.string().max(200).nullish(),
  limit: z.number().int().min(1).max(500).default(100),
});
export type TaskListInput = z.output<typeof TaskListInput>;

export const ArchiveSettings = z.object({
  /** Done tasks are archived this many days after they were completed. */
  afterDays: z.number().int().min(1, 'must be at least 1 day').max(3650, 'must be at most 3650 days'),
});
export type ArchiveSettings = z.output<typeof ArchiveSettings>;
export const DEFAULT_ARCHIVE_SETTINGS: ArchiveSettings = { afterDays: 7 };

// PROTOCOL.md §6 wire inputs (snake_case, transformed once).
export const QueueQuery = z
  .object({
    agent: z.string().trim().min(1, 'agent: the agent name is required').max(100),
    max_capacity: z.coerce.number({ error: 'must be an integer from 1 to 20' }).int('must be an integer from 1 to 20').min(1).max(20).default(1),
  })
  .transform((q) => ({ agent: q.agent, maxCapacity: q.max_capacity }));
export type QueueQuery = z.output<typeof QueueQuery>;

export const TaskPatchBody = z
  .object({
    status: TaskStatus.optional(),
    comment: z.string().trim().min(1).max(MAX_COMMENT_LENGTH, `must be at most ${MAX_COMMENT_LENGTH} characters`).optional(),
    outcome: TaskOutcome.optional(),
    expected_version: version.optional(),
  })
  .transform((b) => ({ status: b.status, comment: b.comment, outcome: b.outcome, expectedVersion: b.expected_version }));
export type TaskPatchBody = z.output<typeof TaskPatchBody>;

export const TaskCommentBody = z.object({
  body: z.string().trim().min(1, 'must not be empty').max(MAX_COMMENT_LENGTH, `must be at most ${MAX_COMMENT_LENGTH} characters`),
});
