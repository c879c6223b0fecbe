// Pipeline shapes as the server sends them, inferred from AppRouter.
import type { QueryOutput, trpc } from '../lib/trpc';

type Client = typeof trpc;
export type PipelineTemplate = QueryOutput<Client['pipelines']['templates']['list']>[number];
export type PipelineRun = QueryOutput<Client['pipelines']['runs']['get']>;
export type PipelineRunSummary = QueryOutput<Client['pipelines']['runs']['list']>['items'][number];
export type PipelineStats = QueryOutput<Client['pipelines']['stats']>['templates'][number];
export type PipelineStepView = PipelineRun['steps'][number];
