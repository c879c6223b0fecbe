// One HTTP request to Mission Control over the global fetch (Node >= 20): key header, JSON, timeout, and
// the PROTOCOL.md §2 error body turned into a typed error. No retries here; callers own their policy.

import {
  AuthenticationError,
  ConfigurationError,
  ConflictError,
  type ErrorDetail,
  MissionControlError,
  type MissionControlErrorOptions,
  NotFoundError,
  PermissionError,
  RateLimitedError,
  ServerError,
  ServerUnreachableError,
  UnknownAgentError,
  ValidationError,
} from './errors.ts';

export const SDK_VERSION = '0.1.0';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export type HttpApiOptions = {
  url: string;
  apiKey: string;
  /** Default per-request timeout (10 s). */
  timeoutMs?: number;
  fetch?: FetchLike;
};

export type RequestOptions = {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A 404 on this request means the agent is unknown (UnknownAgentError) rather than a missing thing. */
  notFound?: 'agent' | 'resource';
};

export type HttpApi = {
  readonly baseUrl: string;
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
};

/** Validates and normalizes the server URL: http(s), no trailing slash. */
export function normalizeServerUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigurationError(`"${url}" is not a URL; set MC_URL (or the url option) to the server's address, e.g. http://127.0.0.1:3200`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigurationError(`MC_URL must be an http:// or https:// URL, not ${parsed.protocol}`);
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

type ErrorBody = { code?: string; message?: string; details?: ErrorDetail[]; requestId?: string };

function readErrorBody(value: unknown): ErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return {};
  const error = (value as { error: unknown }).error;
  if (typeof error !== 'object' || error === null) return {};
  const { code, message, details, requestId } = error as Record<string, unknown>;
  return {
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof message === 'string' ? { message } : {}),
    ...(Array.isArray(details) ? { details: details.filter((d): d is ErrorDetail => typeof d === 'object' && d !== null && 'path' in d) } : {}),
    ...(typeof requestId === 'string' ? { requestId } : {}),
  };
}

/** Retry-After is seconds or an HTTP date; absent or nonsense → 1 s. */
export function parseRetryAfterMs(header: string | null, now: number = Date.now()): number {
  if (header === null) return 1_000;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - now) : 1_000;
}

function networkReason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  const cause = error instanceof Error ? error.cause : undefined;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}

export function createHttpApi(options: HttpApiOptions): HttpApi {
  const baseUrl = normalizeServerUrl(options.url);
  if (!options.apiKey) throw new ConfigurationError('No API key: set MC_API_KEY (or the apiKey option) to an operator key (mc_…) or this agent\'s key (mca_…)');
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const defaultTimeoutMs = options.timeoutMs ?? 10_000;

  function toError(status: number, body: ErrorBody, headers: Headers, method: string, path: string, notFound: 'agent' | 'resource'): MissionControlError {
    const serverMessage = body.message ?? `HTTP ${status}`;
    const common: MissionControlErrorOptions = { status, code: body.code ?? `HTTP_${status}`, details: body.details ?? [], ...(body.requestId ? { requestId: body.requestId } : {}) };
    switch (true) {
      case status === 400:
        return new ValidationError(`Mission Control refused ${method} ${path}: ${serverMessage}`, common);
      case status === 401:
        return new AuthenticationError(
          `Mission Control at ${baseUrl} rejected the API key (${serverMessage}). The key is mistyped, revoked or expired: create one under Settings → API keys and set MC_API_KEY.`,
          common,
        );
      case status === 403:
        return new PermissionError(`${serverMessage}. Use an operator API key, or this agent's own key (mca_…).`, common);
      case status === 404:
        if (/^No route /.test(serverMessage) || / is not supported on /.test(serverMessage)) {
          return new NotFoundError(`This Mission Control server has no ${method} ${path}; it is older than this SDK (upgrade the server).`, common);
        }
        return notFound === 'agent' ? new UnknownAgentError(serverMessage, common) : new NotFoundError(serverMessage, common);
      case status === 409:
        return new ConflictError(serverMessage, common);
      case status === 429: {
        const retryAfterMs = parseRetryAfterMs(headers.get('retry-after'));
        return new RateLimitedError(`Rate limited on ${method} ${path}; retry in ${Math.ceil(retryAfterMs / 1000)} s`, retryAfterMs, common);
      }
      case status >= 500:
        return new ServerError(`Mission Control failed on ${method} ${path} (HTTP ${status}: ${serverMessage})`, common);
      default:
        return new MissionControlError(`${method} ${path} answered HTTP ${status}: ${serverMessage}`, common);
    }
  }

  async function request<T>(method: string, path: string, requestOptions: RequestOptions = {}): Promise<T> {
    const url = new URL(`${baseUrl}${path}`);
    for (const [name, value] of Object.entries(requestOptions.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const timeout = AbortSignal.timeout(requestOptions.timeoutMs ?? defaultTimeoutMs);
    const signal = requestOptions.signal ? AbortSignal.any([timeout, requestOptions.signal]) : timeout;
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.apiKey}`,
      accept: 'application/json',
      'user-agent': `mc-agent-sdk/${SDK_VERSION} node/${process.versions.node}`,
    };
    let body: string | undefined;
    if (requestOptions.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(requestOptions.body);
    }
    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(url.toString(), { method, headers, body, signal });
      text = await response.text();
    } catch (error) {
      if (requestOptions.signal?.aborted) throw error;
      const reason = networkReason(error);
      throw new ServerUnreachableError(`Cannot reach Mission Control at ${baseUrl} (${reason}). Is the server running, and is MC_URL right?`, {
        code: reason === 'timed out' ? 'TIMEOUT' : 'UNREACHABLE',
        cause: error,
      });
    }
    let parsed: unknown = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (!response.ok) {
      throw toError(response.status, readErrorBody(parsed), response.headers, method, path, requestOptions.notFound ?? 'resource');
    }
    if (parsed === undefined) {
      throw new ServerError(`${method} ${path} answered HTTP ${response.status} with a body that is not JSON; is MC_URL pointing at Mission Control (not a proxy page)?`, {
        status: response.status,
        code: 'BAD_RESPONSE',
      });
    }
    return parsed as T;
  }

  return { baseUrl, request };
}
