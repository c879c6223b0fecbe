// Pipeline inputs (tRPC and REST), shared with the web app. Imports zod only.
import { z } from 'zod';
import { TaskPriority } from '../tasks/schema.ts';

export const MAX_STEPS = 200;
export const MAX_VARIABLES = 50;
export const MAX_VARIABLE_VALUE = 10_240;
export const VARIABLE_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const STEP_KEY = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,39}$/;

export const RUN_STATUSES = ['queued', 'running', 'waiting_approval', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const STEP_STATUSES = ['pending', 'ready', 'running', 'waiting_approval', 'succeeded', 'failed', 'cancelled'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
export const RUN_TRIGGERS = ['manual', 'schedule', 'api'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled'];

const variableName = z.string().regex(VARIABLE_NAME, 'must be a letter or _ followed by letters, digits or _');
const variableValue = z.string().max(MAX_VARIABLE_VALUE, `must be at most ${MAX_VARIABLE_VALUE.toLocaleString('en-US')} characters (10 KB)`);

export const PipelineStep = z.object({
  key: z.string().regex(STEP_KEY, 'must be 1–40 letters, digits, _ or -, starting with a letter or digit'),
  title: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  description: z.string().max(20_000, 'must be at most 20,000 characters').default(''),
  role: z.string().trim().min(1).max(64).nullish(),
  agent: z.string().trim().min(1).max(64).nullish(),
  priority: TaskPriority.default('medium'),
  requiresApproval: z.boolean().default(false),
  timeoutS: z.number().int().min(1).max(7 * 86_400, 'must be at most 7 days').nullish(),
  retries: z.number().int().min(0).max(10, 'must be at most 10').default(0),
  dependsOn: z.array(z.string()).max(MAX_STEPS).default([]),
});
export type PipelineStep = z.output<typeof PipelineStep>;

export const PipelineVariable = z.object({
  name: variableName,
  default: variableValue.nullish(),
  description: z.string().max(500).optional(),
});
export type PipelineVariable = z.output<typeof PipelineVariable>;

export const PipelineSchedule = z.object({
  cron: z.string().trim().min(1).max(120),
  timeZone: z.string().trim().min(1).max(64).default('UTC'),
  enabled: z.boolean().default(true),
});
export type PipelineSchedule = z.output<typeof PipelineSchedule>;

const templateFields = {
  description: z.string().max(2000).default(''),
  steps: z.array(PipelineStep).min(1, 'a pipeline needs at least one step').max(MAX_STEPS, `at most ${MAX_STEPS} steps per template`),
  variables: z.array(PipelineVariable).max(MAX_VARIABLES, `at most ${MAX_VARIABLES} variables`).default([]),
  schedule: PipelineSchedule.nullish(),
};
const templateName = z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters').regex(/^[^/\s][^/]*$/, 'must not contain /');

export const TemplateCreateInput = z.object({ name: templateName, ...templateFields });
export type TemplateCreateInput = z.output<typeof TemplateCreateInput>;
export const TemplateUpdateInput = z.object({ id: z.string().min(1).max(80), name: templateName.optional(), ...templateFields });
export type TemplateUpdateInput = z.output<typeof TemplateUpdateInput>;
/** A template's id or its name. */
export const TemplateRef = z.object({ id: z.string().trim().min(1).max(80) });

export const RunVariables = z.record(variableName, variableValue).default({});
export const RunStartInput = z.object({ template: z.string().trim().min(1).max(80), variables: RunVariables });
export type RunStartInput = z.output<typeof RunStartInput>;
export const RunStartBody = z.object({ variables: RunVariables });
export const RunListInput = z.object({
  template: z.string().trim().min(1).max(80).optional(),
  status: z.enum(RUN_STATUSES).optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type RunListInput = z.output<typeof RunListInput>;
export const RunRef = z.object({ id: z.string().trim().min(1).max(64) });
export const RunCancelInput = z.object({ id: z.string().trim().min(1).max(64), reason: z.string().trim().max(500).optional() });
/** A person's decision on a step waiting for approval: the run, the step's key, and an optional note (a task comment). */
const stepDecision = { runId: z.string().trim().min(1).max(64), stepKey: z.string().regex(STEP_KEY, 'must be a step key') };
export const StepApproveInput = z.object({ ...stepDecision, comment: z.string().trim().max(2000, 'must be at most 2,000 characters').optional() });
export type StepApproveInput = z.output<typeof StepApproveInput>;
export const StepRejectInput = z.object({ ...stepDecision, reason: z.string().trim().max(500, 'must be at most 500 characters').optional() });
export type StepRejectInput = z.output<typeof StepRejectInput>;
export const StatsInput = z.object({ template: z.string().trim().min(1).max(80).optional() });
