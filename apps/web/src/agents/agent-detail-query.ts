// The detail page's one query (agents.byId), cached per agent by the router.
import { query, revalidate } from '@solidjs/router';
import { type QueryOutput, trpc } from '../lib/trpc';

export type AgentDetail = QueryOutput<typeof trpc.agents.byId>;
export type AgentKey = AgentDetail['keys'][number];

export const getAgentDetail = query((agentRef: string) => trpc.agents.byId.query({ agentRef }), 'agents.byId');

export function refreshAgentDetail(agentRef: string): Promise<void> {
  return revalidate(getAgentDetail.keyFor(agentRef));
}
