// JSON responses and the PROTOCOL.md §2 error body.
import type { ServerResponse } from 'node:http';
import { toProtocolError } from '@mc/api';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(json);
}

export function sendError(res: ServerResponse, error: unknown, requestId: string): number {
  const { status, body, retryAfterS } = toProtocolError(error, requestId);
  sendJson(res, status, body, retryAfterS !== undefined ? { 'retry-after': String(retryAfterS) } : {});
  return status;
}
