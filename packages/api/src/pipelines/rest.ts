// The "incoming authenticated API call" trigger: POST /api/pipelines/{template}/runs with an operator key.
import { z } from 'zod';
import { respond, route } from '../rest/route.ts';
import { parseInput } from '../validation.ts';
import { RunStartBody } from './schema.ts';

const TemplateParam = z.string().trim().min(1).max(80);

export const pipelineRoutes = [
  route({
    method: 'POST', path: '/api/pipelines/:template/runs', access: 'operator', summary: 'Start a pipeline run (template id or name)', body: RunStartBody,
    async handler({ services, actor, params, body }) {
      const run = await services.pipelines.startRun(actor, { template: parseInput(TemplateParam, params.template), variables: body.variables }, 'api');
      return respond(201, { run });
    },
  }),
];
