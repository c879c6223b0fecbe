// One webhook HTTP request to a pinned address: POST, no redirects followed (3xx is a failure), a total
// deadline covering connect, headers and body (so a slow-loris receiver costs at most timeoutMs), and a
// response read capped at maxResponseBytes before the socket is destroyed. Never throws.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ResolvedAddress } from './address-policy.ts';

export type SendRequest = {
  url: URL;
  pinned: ResolvedAddress;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  maxResponseBytes: number;
};

export type SendOutcome =
  | { kind: 'response'; status: number; location: string | null; contentType: string | null; body: string; truncated: boolean; durationMs: number }
  | { kind: 'error'; error: string; durationMs: number };

function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  // net calls lookup with { all: true } when autoSelectFamily is on (Node 20 default): answer both shapes.
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (error: null, addresses: ResolvedAddress[]) => void)(null, [pinned]);
    } else {
      callback(null, pinned.address, pinned.family);
    }
  };
}

export function sendPinnedRequest(request: SendRequest): Promise<SendOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const { url } = request;
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<SendOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(outcome);
    };
    let response: { status: number; location: string | null; contentType: string | null; chunks: Buffer[]; bytes: number } | null = null;
    const fromResponse = (truncated: boolean): SendOutcome => ({
      kind: 'response',
      status: response?.status ?? 0,
      location: response?.location ?? null,
      contentType: response?.contentType ?? null,
      body: Buffer.concat(response?.chunks ?? []).subarray(0, request.maxResponseBytes).toString('utf8'),
      truncated,
      durationMs: elapsed(),
    });

    const req = transport.request({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      // Only the TCP connect uses the pinned address: `hostname` stays the URL's host, so the Host header,
      // TLS SNI and the certificate check are all for the name (Node sends no SNI for IP literals).
      lookup: pinnedLookup(request.pinned),
      agent: false,
    });
    const deadline = setTimeout(() => {
      // Decide after pending I/O: after an event-loop stall Node runs expired timers before reading
      // sockets, and an answer already waiting there must not be turned into a timeout.
      setImmediate(() => {
        // Headers already in: the receiver answered, only its body is slow. Keep the status we have.
        if (response) finish(fromResponse(true));
        else finish({ kind: 'error', error: `timed out after ${request.timeoutMs} ms`, durationMs: elapsed() });
        req.destroy();
      });
    }, request.timeoutMs);

    req.on('response', (res) => {
      response = {
        status: res.statusCode ?? 0,
        location: typeof res.headers.location === 'string' ? res.headers.location : null,
        contentType: typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : null,
        chunks: [],
        bytes: 0,
      };
      const current = response;
      res.on('data', (chunk: Buffer) => {
        current.chunks.push(chunk);
        current.bytes += chunk.length;
        if (current.bytes >= request.maxResponseBytes) {
          finish(fromResponse(true));
          res.destroy();
          req.destroy();
        }
      });
      res.on('end', () => finish(fromResponse(false)));
      res.on('error', () => finish(fromResponse(true)));
      res.on('aborted', () => finish(fromResponse(true)));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (response) finish(fromResponse(true));
      else finish({ kind: 'error', error: describeNetworkError(error, url), durationMs: elapsed() });
    });
    req.end(request.body);
  });
}

function describeNetworkError(error: NodeJS.ErrnoException, url: URL): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return `connection refused by ${url.host}`;
    case 'ECONNRESET':
      return `connection reset by ${url.host}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${url.host} is unreachable`;
    default:
      return error.code ? `${error.code}: ${error.message}` : error.message;
  }
}
