// The empty fleet: how to connect a first agent over the protocol (PROTOCOL.md §3–4) or the SDK.
import { A } from '@solidjs/router';
import { Show } from 'solid-js';
import { hasRole } from '../lib/roles';
import { useCurrentUser } from '../lib/session';

function curlExample(origin: string): string {
  return [
    `export MC_URL=${origin}`,
    'export MC_API_KEY=mc_...   # an API key with the operator role',
    '',
    '# 1. Connect: creates the agent and answers with a connection_id',
    'curl -sS -X POST "$MC_URL/api/connect" \\',
    '  -H "Authorization: Bearer $MC_API_KEY" -H "Content-Type: application/json" \\',
    `  -d '{"agent_name": "builder-1", "tool_name": "claude-code", "tool_version": "2.1.3"}'`,
    '',
    '# 2. Heartbeat every 30 s with the status and what the agent is doing',
    'curl -sS -X POST "$MC_URL/api/agents/builder-1/heartbeat" \\',
    '  -H "Authorization: Bearer $MC_API_KEY" -H "Content-Type: application/json" \\',
    `  -d '{"connection_id": "<from step 1>", "status": "busy", "activity": "running tests"}'`,
  ].join('\n');
}

export function ConnectAgentHelp() {
  const user = useCurrentUser();
  return (
    <section class="card connect-help" aria-labelledby="connect-help-title">
      <div>
        <h2 id="connect-help-title">No agents yet</h2>
        <p class="page-intro">
          Agents show up here, live, as soon as they connect. One that misses three heartbeats in a row (90 s by
          default) is shown as offline.
        </p>
      </div>
      <p>
        <Show
          when={hasRole(user().role, 'operator')}
          fallback="Connecting an agent needs an API key with the operator role; ask an operator or admin for one."
        >
          First <A href="/settings/api-keys">create an API key</A> with the operator role. Then, from the machine the
          agent runs on:
        </Show>
      </p>
      <figure class="connect-help-example">
        <figcaption class="agent-subtext">Connect an agent with curl</figcaption>
        <pre class="code-block">
          <code>{curlExample(location.origin)}</code>
        </pre>
      </figure>
      <p>
        Or let the <code>mc-agent</code> command from the <code>@mc/agent-sdk</code> package do it, with the same{' '}
        <code>MC_URL</code> and <code>MC_API_KEY</code> exported: <code>mc-agent claude --name builder-1</code> wraps
        Claude Code and reports its status and token usage, <code>mc-agent run --name builder-1 -- &lt;command&gt;</code>{' '}
        reports any other command as busy while it runs, and <code>mc-agent doctor</code> checks the setup.
      </p>
      <p class="agent-muted">
        Statuses an agent can report: idle, busy, needs input (waiting for a person) and error.
      </p>
    </section>
  );
}
