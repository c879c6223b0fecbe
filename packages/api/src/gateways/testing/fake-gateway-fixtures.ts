// Loads the captured OpenClaw frames (test/fixtures/openclaw) for the fake gateway and tests.
// Read-only; every accessor returns a fresh deep copy so callers may rewrite ids freely.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const FIXTURE_DIR_URL = new URL('../../../../../test/fixtures/openclaw/', import.meta.url);

export function readFixtureFile(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURE_DIR_URL), 'utf8'));
}

const JsonObject = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof JsonObject>;

const ConnectErrorFixture = z.object({
  response: z.object({ error: JsonObject }),
  close: z.object({ code: z.number(), reason: z.string() }),
});
export type ConnectErrorFixture = z.infer<typeof ConnectErrorFixture>;

const MethodErrorFixture = z.object({ response: z.object({ error: JsonObject }) });
const ResultFixture = z.object({ payload: z.unknown() });

export const EventFrameFixture = z.object({
  type: z.literal('event'),
  event: z.string(),
  payload: z.unknown(),
  seq: z.number().optional(),
  stateVersion: z.unknown().optional(),
});
export type EventFrameFixture = z.infer<typeof EventFrameFixture>;
const NamedEventFixture = z.object({ name: z.string(), frame: EventFrameFixture });

export type FakeGatewayFixtures = {
  challengeCapabilities: string[];
  helloOkPayload: JsonObject;
  connectErrors: Record<string, ConnectErrorFixture>;
  methodErrors: Record<string, { error: JsonObject }>;
  /** result payloads keyed like the fixture files: "sessions.list", "usage.cost:days7-fresh", … */
  results: Record<string, unknown>;
  chatRunFrames: EventFrameFixture[];
  /** events.json groups (chatRun, abortRun, cronRun, …), in capture order */
  eventGroups: Record<string, { name: string; frame: EventFrameFixture }[]>;
};

let cached: FakeGatewayFixtures | null = null;

export function loadFakeGatewayFixtures(): FakeGatewayFixtures {
  cached ??= parseFixtures();
  return structuredClone(cached);
}

function parseFixtures(): FakeGatewayFixtures {
  const handshake = z
    .object({
      challenge: z.object({ frame: z.object({ payload: z.object({ capabilities: z.array(z.string()) }) }) }),
      helloOk: z.object({ frame: z.object({ payload: JsonObject }) }),
    })
    .parse(readFixtureFile('handshake'));
  const errors = z
    .object({ connect: z.record(z.string(), ConnectErrorFixture), methods: z.record(z.string(), MethodErrorFixture) })
    .parse(readFixtureFile('errors'));
  const results: Record<string, unknown> = {};
  for (const file of ['system', 'sessions', 'chat', 'usage', 'cron', 'devices']) {
    for (const [key, entry] of Object.entries(JsonObject.parse(readFixtureFile(file)))) {
      const parsed = ResultFixture.safeParse(entry);
      if (key !== '_about' && parsed.success && 'payload' in asJsonObject(entry)) results[key] = parsed.data.payload;
    }
  }
  const eventGroups: FakeGatewayFixtures['eventGroups'] = {};
  for (const [key, group] of Object.entries(JsonObject.parse(readFixtureFile('events')))) {
    const parsed = z.array(NamedEventFixture).safeParse(group);
    if (parsed.success) eventGroups[key] = parsed.data;
  }
  const chatRun = z.object({ frames: z.array(EventFrameFixture) }).parse(readFixtureFile('chat-run-sequence'));
  const methodErrors: FakeGatewayFixtures['methodErrors'] = {};
  for (const [key, entry] of Object.entries(errors.methods)) methodErrors[key] = { error: entry.response.error };
  return {
    challengeCapabilities: handshake.challenge.frame.payload.capabilities,
    helloOkPayload: handshake.helloOk.frame.payload,
    connectErrors: errors.connect,
    methodErrors,
    results,
    chatRunFrames: chatRun.frames,
    eventGroups,
  };
}

/**
 * Deep-copies `value`, replacing every occurrence of each `from` inside strings, and `agentId`
 * fields equal to `agentFrom` (README: rewrite echoed ids, keep the rest byte-faithful).
 */
export function rewriteIds(value: unknown, replacements: ReadonlyArray<readonly [string, string]>, agent?: readonly [string, string]): unknown {
  if (typeof value === 'string') return replacements.reduce((text, [from, to]) => text.split(from).join(to), value);
  if (Array.isArray(value)) return value.map((item) => rewriteIds(item, replacements, agent));
  if (typeof value === 'object' && value !== null) {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = key === 'agentId' && agent !== undefined && item === agent[0] ? agent[1] : rewriteIds(item, replacements, agent);
    }
    return out;
  }
  return value;
}

export function asJsonObject(value: unknown): JsonObject {
  const parsed = JsonObject.safeParse(value);
  return parsed.success ? parsed.data : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
