// GET /api/me: who does this credential act as (scripts and `mc-agent doctor` use it to check a key).
import { route } from '../rest/route.ts';

export const whoAmIRoute = route({
  method: 'GET',
  path: '/api/me',
  access: 'authenticated',
  summary: 'Identity of the presented credential',
  async handler({ actor }) {
    if (actor.kind === 'agent') return { kind: 'agent', agentId: actor.agentId, keyName: actor.keyName };
    if (actor.kind === 'user') return { kind: 'user', username: actor.username, role: actor.role, viaApiKey: !!actor.apiKeyId };
    return { kind: 'anonymous' };
  },
});
