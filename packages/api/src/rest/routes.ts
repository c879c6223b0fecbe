// Every REST route of the server, in one table (the RBAC matrix test walks it).
import { agentRoutes } from '../agents/rest.ts';
import { auditRoutes } from '../audit/rest.ts';
import { whoAmIRoute } from '../auth/rest.ts';
import { costRoutes } from '../costs/rest.ts';
import { taskRoutes } from '../tasks/rest.ts';
import { pipelineRoutes } from '../pipelines/rest.ts';
import type { RouteDef } from './route.ts';

export const restRoutes: RouteDef[] = [whoAmIRoute, ...agentRoutes, ...costRoutes, ...taskRoutes, ...pipelineRoutes, ...auditRoutes];
