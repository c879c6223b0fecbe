// Pipeline procedures: viewers read templates, runs and stats; operators and admins write. One service call each.
import { operatorProcedure, router, viewerProcedure } from '../trpc.ts';
import {
  RunCancelInput, RunListInput, RunRef, RunStartInput, StatsInput, StepApproveInput, StepRejectInput, TemplateCreateInput, TemplateRef, TemplateUpdateInput,
} from './schema.ts';

export const pipelinesRouter = router({
  templates: router({
    list: viewerProcedure.query(({ ctx }) => ctx.services.pipelines.listTemplates()),
    get: viewerProcedure.input(TemplateRef).query(({ ctx, input }) => ctx.services.pipelines.getTemplate(input.id)),
    create: operatorProcedure.input(TemplateCreateInput).mutation(({ ctx, input }) => ctx.services.pipelines.createTemplate(ctx.actor, input)),
    update: operatorProcedure.input(TemplateUpdateInput).mutation(({ ctx, input }) => ctx.services.pipelines.updateTemplate(ctx.actor, input)),
    remove: operatorProcedure.input(TemplateRef).mutation(({ ctx, input }) => ctx.services.pipelines.removeTemplate(ctx.actor, input.id)),
  }),
  runs: router({
    list: viewerProcedure.input(RunListInput).query(({ ctx, input }) => ctx.services.pipelines.listRuns(input)),
    get: viewerProcedure.input(RunRef).query(({ ctx, input }) => ctx.services.pipelines.getRun(input.id)),
    start: operatorProcedure.input(RunStartInput).mutation(({ ctx, input }) => ctx.services.pipelines.startRun(ctx.actor, input, 'manual')),
    cancel: operatorProcedure.input(RunCancelInput).mutation(({ ctx, input }) => ctx.services.pipelines.cancelRun(ctx.actor, input.id, input.reason)),
    approveStep: operatorProcedure.input(StepApproveInput).mutation(({ ctx, input }) => ctx.services.pipelines.approveStep(ctx.actor, input)),
    rejectStep: operatorProcedure.input(StepRejectInput).mutation(({ ctx, input }) => ctx.services.pipelines.rejectStep(ctx.actor, input)),
  }),
  stats: viewerProcedure.input(StatsInput).query(({ ctx, input }) => ctx.services.pipelines.stats(input)),
});
