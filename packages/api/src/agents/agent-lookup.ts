// Finds an agent by the reference agents and clients use in URLs and bodies: its id or its name. Agent ids
// are UUIDs, so a reference of another shape is only looked up as a name.
import type BetterSqlite3 from 'better-sqlite3';
import { notFound } from '../errors.ts';

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type AgentIdentity = { id: string; name: string };

/** 404 for an agent reference nobody knows; a long reference is cut, so the error does not echo kilobytes back. */
export function unknownAgent(agentRef: string) {
  const shown = agentRef.length > 80 ? `${agentRef.slice(0, 80)}…` : agentRef;
  return notFound(`Unknown agent ${shown}; connect it first (POST /api/connect)`);
}

export function createAgentLookup(sqlite: BetterSqlite3.Database) {
  const byId = sqlite.prepare('SELECT id, name FROM "Agent" WHERE id = ?');
  const byName = sqlite.prepare('SELECT id, name FROM "Agent" WHERE name = ?');
  function find(agentRef: string): AgentIdentity | undefined {
    return ((UUID_SHAPE.test(agentRef) ? byId.get(agentRef) : undefined) ?? byName.get(agentRef)) as AgentIdentity | undefined;
  }
  /** The agent, or 404 (PROTOCOL.md §2). */
  function resolve(agentRef: string): AgentIdentity {
    const agent = find(agentRef);
    if (!agent) throw unknownAgent(agentRef);
    return agent;
  }
  return { find, resolve };
}
