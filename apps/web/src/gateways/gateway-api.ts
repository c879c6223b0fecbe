// The gateway, session and cron calls of the web app. Every type is inferred from AppRouter
// (never duplicated by hand); the names here are what the panels use.
import { type MutationOutput, type QueryOutput, trpc } from '../lib/trpc';

type Client = typeof trpc;

export type GatewayItem = QueryOutput<Client['gateways']['list']>[number];
export type GatewayStatus = GatewayItem['status'];
export type AuthMode = GatewayItem['authMode'];
export type GatewayError = NonNullable<GatewayItem['lastError']>;
export type PairingRequest = NonNullable<GatewayItem['pairing']>;
export type GatewayTestResult = MutationOutput<Client['gateways']['test']>;

export type SessionListPage = QueryOutput<Client['sessions']['list']>;
export type SessionItem = SessionListPage['items'][number];
export type SessionSource = SessionItem['source'];
export type SessionListInput = Parameters<Client['sessions']['list']['query']>[0];
export type SessionRef = Parameters<Client['sessions']['preview']['query']>[0];
export type PreviewItem = QueryOutput<Client['sessions']['preview']>['items'][number];

export type CronJob = QueryOutput<Client['cron']['list']>[number];
export type CronRun = QueryOutput<Client['cron']['runs']>[number];

/** The gateway, session and cron procedures (the app's one tRPC client). */
export const gatewayApi = trpc;
