// Task board procedures: viewers read, operators and admins create/edit/move/comment, admins set
// the archive age. One service call each.
import { z } from 'zod';
import { requireUser } from '../auth/require-user.ts';
import { adminProcedure, operatorProcedure, router, viewerProcedure } from '../trpc.ts';
import {
  ArchiveSettings,
  TaskBoardInput,
  TaskCommentInput,
  TaskCreateInput,
  TaskFilters,
  TaskListInput,
  TaskMoveInput,
  TaskRef,
  TaskUpdateInput,
} from './schema.ts';

export const tasksRouter = router({
  board: viewerProcedure.input(TaskBoardInput).query(({ ctx, input }) => ctx.services.tasks.board(input)),
  list: viewerProcedure.input(TaskListInput).query(({ ctx, input }) => ctx.services.tasks.list(input)),
  counts: viewerProcedure.input(TaskFilters).query(({ ctx, input }) => ctx.services.tasks.counts({ ...input, perColumn: 1 })),
  costs: viewerProcedure
    .input(z.object({ ids: z.array(z.string().min(1).max(64)).max(500, 'at most 500 tasks') }))
    .query(({ ctx, input }) => ctx.services.tasks.costs(input.ids)),
  byId: viewerProcedure.input(z.object({ id: TaskRef })).query(({ ctx, input }) => ctx.services.tasks.byId(input.id)),
  create: operatorProcedure.input(TaskCreateInput).mutation(({ ctx, input }) => ctx.services.tasks.create(ctx.actor, input)),
  update: operatorProcedure.input(TaskUpdateInput).mutation(({ ctx, input }) => ctx.services.tasks.update(ctx.actor, input)),
  move: operatorProcedure.input(TaskMoveInput).mutation(({ ctx, input }) => ctx.services.tasks.move(ctx.actor, input)),
  comment: operatorProcedure.input(TaskCommentInput).mutation(({ ctx, input }) => ctx.services.tasks.comment(ctx.actor, input)),
  archiveSettings: adminProcedure.query(({ ctx }) => ctx.services.tasks.archiveSettings()),
  updateArchiveSettings: adminProcedure
    .input(ArchiveSettings)
    .mutation(({ ctx, input }) => ctx.services.tasks.updateArchiveSettings(requireUser(ctx.actor), input)),
});
