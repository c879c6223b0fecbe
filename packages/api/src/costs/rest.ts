// GET /api/usage/export: every usage record of a range as CSV or JSON, streamed (viewer+, key or cookie).
import { route, streamResponse } from '../rest/route.ts';
import { ExportQuery } from './schema.ts';

export const costRoutes = [
  route({
    method: 'GET', path: '/api/usage/export', access: 'viewer', summary: 'Export usage records (CSV or JSON, streamed)', query: ExportQuery,
    handler: async ({ services, query }) => {
      const { contentType, filename, chunks } = services.costs.exportRecords(query);
      return streamResponse(chunks, contentType, { 'content-disposition': `attachment; filename="${filename}"` });
    },
  }),
];
