// PROTOCOL.md §3–5 routes: thin adapters, one service call each.
import { respond, route } from '../rest/route.ts';
import { TokensBody } from '../usage/schema.ts';
import { ConnectInput, DisconnectInput, HeartbeatInput, RegisterInput } from './schema.ts';

export const agentRoutes = [
  route({
    method: 'POST', path: '/api/connect', access: 'agent', summary: 'Connect an agent process', body: ConnectInput,
    handler: ({ services, actor, body, meta }) => services.agents.connect(actor, body, meta),
  }),
  route({
    method: 'DELETE', path: '/api/connect', access: 'agent', summary: 'End an agent connection', body: DisconnectInput,
    handler: ({ services, actor, body }) => services.agents.disconnect(actor, body.connectionId),
  }),
  route({
    method: 'POST', path: '/api/agents/register', access: 'agent', summary: 'Register an agent (idempotent)', body: RegisterInput,
    async handler({ services, actor, body }) {
      const result = await services.agents.register(actor, body);
      return respond(result.registered ? 201 : 200, result);
    },
  }),
  route({
    method: 'POST', path: '/api/agents/:agentRef/heartbeat', access: 'agent', summary: 'Heartbeat with status and usage', body: HeartbeatInput,
    handler: ({ services, actor, params, body, headers }) => {
      services.agents.checkCompatAgentName(actor, headers['x-agent-name']);
      return services.agents.heartbeat(actor, params.agentRef ?? '', body);
    },
  }),
  route({
    method: 'POST', path: '/api/tokens', access: 'agent', summary: 'Report token usage', body: TokensBody,
    handler: ({ services, actor, body }) => services.usage.reportTokens(actor, body),
  }),
];
