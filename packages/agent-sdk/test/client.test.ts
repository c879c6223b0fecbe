// createClient from '@mc/agent-sdk/client' against a real server: typed calls authenticated by API key,
// the key's role enforced, tRPC error codes surfaced.
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAgent } from '../src/index.ts';
import { type AppRouter, createClient, type RouterOutputs } from '../src/client/index.ts';
import { closeAfterTest, type SdkTestServer, startSdkTestServer } from './support/server.ts';

let server: SdkTestServer;
beforeAll(async () => {
  server = await startSdkTestServer();
});
afterAll(async () => {
  await server.close();
});

async function rejection(promise: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCClientError) return error as TRPCClientError<AppRouter>;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('createClient', () => {
  it('calls procedures typed by the server router with an API key', async () => {
    const agent = await connectAgent({ url: server.url, apiKey: server.operatorKey, name: 'client-seen' });
    closeAfterTest(agent);
    const client = createClient({ url: `${server.url}/`, apiKey: server.operatorKey });
    const fleet: RouterOutputs['agents']['list'] = await client.agents.list.query();
    expect(fleet.find((row) => row.name === 'client-seen')).toMatchObject({ status: 'idle', source: 'sdk' });
    const task = await client.tasks.create.mutate({ title: 'From a script', priority: 'low' });
    expect(task).toMatchObject({ title: 'From a script', priority: 'low', status: expect.any(String) });
  });

  it("enforces the key's role and reports tRPC error codes", async () => {
    const viewer = createClient({ url: server.url, apiKey: await server.createApiKey('viewer') });
    expect(Array.isArray(await viewer.agents.list.query())).toBe(true);
    expect((await rejection(viewer.tasks.create.mutate({ title: 'nope' }))).data?.code).toBe('FORBIDDEN');
    const stranger = createClient({ url: server.url, apiKey: 'mc_unknown' });
    expect((await rejection(stranger.agents.list.query())).data?.code).toBe('UNAUTHORIZED');
  });

  it('refuses to start without a key or with a URL that is not http(s)', () => {
    expect(() => createClient({ url: server.url, apiKey: '' })).toThrow(/MC_API_KEY/);
    expect(() => createClient({ url: 'ftp://x', apiKey: 'k' })).toThrow(/http/);
  });
});
