// PROTOCOL.md §6 work loop routes: thin adapters, one service call each. A version conflict answers
// 409 with the task as it is now (`current`), so the caller can retry on fresh data.
import { z } from 'zod';
import { toProtocolError } from '../errors.ts';
import { respond, route } from '../rest/route.ts';
import { parseInput } from '../validation.ts';
import { QueueQuery, TaskCommentBody, TaskPatchBody } from './schema.ts';
import { TaskConflictError } from './task-writes.ts';

const TaskIdParam = z.string().min(1).max(64);

export const taskRoutes = [
  route({
    method: 'GET', path: '/api/tasks/queue', access: 'agent', summary: 'Claim the next task for an agent', query: QueueQuery,
    handler: ({ services, actor, query }) => services.tasks.claimNext(actor, query),
  }),
  route({
    method: 'PATCH', path: '/api/tasks/:id', access: 'agent', summary: 'Move an own task and/or comment on it', body: TaskPatchBody,
    async handler({ services, actor, params, body, meta }) {
      try {
        return await services.tasks.patch(actor, parseInput(TaskIdParam, params.id), body);
      } catch (error) {
        if (!(error instanceof TaskConflictError)) throw error;
        const { status, body: errorBody } = toProtocolError(error, meta.requestId);
        return respond(status, { ...errorBody, current: error.current });
      }
    },
  }),
  route({
    method: 'POST', path: '/api/tasks/:id/comments', access: 'agent', summary: 'Comment on a task', body: TaskCommentBody,
    async handler({ services, actor, params, body }) {
      return respond(201, await services.tasks.comment(actor, { id: parseInput(TaskIdParam, params.id), body: body.body }));
    },
  }),
];
