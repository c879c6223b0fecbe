// GET /api/audit/export (admin): the filtered audit log as a CSV or JSON download, streamed in pages.
import { requireUser } from '../auth/require-user.ts';
import { route, streamResponse } from '../rest/route.ts';
import { AuditExportQuery } from './schema.ts';

export const auditRoutes = [
  route({
    method: 'GET', path: '/api/audit/export', access: 'admin', summary: 'Export the audit log (CSV or JSON)', query: AuditExportQuery,
    async handler({ services, actor, query, meta }) {
      const { format, ...filter } = query;
      const exported = await services.audit.exportLog(requireUser(actor), filter, format, meta);
      return streamResponse(exported.chunks, exported.contentType, { 'content-disposition': `attachment; filename="${exported.filename}"` });
    },
  }),
];
