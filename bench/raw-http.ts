// A lean HTTP/1.1 keep-alive client for the load generator, in the manner of wrk: requests written as one
// string on plain sockets, responses parsed just enough (status, Content-Length or chunked body). The
// client shares the machine's 2 cores with the server; node:http's client costs ~0.2 ms of CPU per request,
// about half of what the server spends on a heartbeat, and would take cores the server is measured on.
import net from 'node:net';
import { HOST } from './lib.ts';

export type RawResponse = { status: number; body: string };

type Pending = { resolve(response: RawResponse): void; reject(error: Error): void };

/** Idle connections older than this are closed here first: the server's keep-alive timeout is 5 s. */
const MAX_IDLE_MS = 4_000;

class Connection {
  readonly socket: net.Socket;
  dead = false;
  idleSince = 0;
  private pending: Pending | null = null;
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(port: number) {
    this.socket = net.connect(port, HOST);
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error('socket closed by the server')));
  }

  send(request: string): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(request);
    });
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const data = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.buffered);
    const headEnd = data.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = data.subarray(0, headEnd).toString('latin1');
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let body: string | null = null;
    let used = 0;
    if (length) {
      const end = headEnd + 4 + Number(length[1]);
      if (data.length < end) {
        this.keep(data);
        return;
      }
      body = data.subarray(headEnd + 4, end).toString('utf8');
      used = end;
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const parsed = parseChunked(data, headEnd + 4);
      if (!parsed) {
        this.keep(data);
        return;
      }
      ({ body, used } = parsed);
    } else {
      this.fail(new Error(`response without a length: ${head.split('\r\n')[0]}`));
      return;
    }
    this.chunks = used < data.length ? [data.subarray(used)] : [];
    this.buffered = data.length - used;
    const pending = this.pending;
    this.pending = null;
    pending?.resolve({ status, body });
  }

  private keep(data: Buffer): void {
    this.chunks = [data];
  }

  private fail(error: Error): void {
    this.dead = true;
    const pending = this.pending;
    this.pending = null;
    pending?.reject(error);
  }

  destroy(): void {
    this.dead = true;
    this.socket.destroy();
  }
}

function parseChunked(data: Buffer, start: number): { body: string; used: number } | null {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return null;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (size === 0) return data.length >= lineEnd + 4 ? { body: Buffer.concat(parts).toString('utf8'), used: lineEnd + 4 } : null;
    if (data.length < lineEnd + 2 + size + 2) return null;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** Up to `maxSockets` keep-alive connections; requests beyond that wait for a free one. */
export function createRawHttpPool(port: number, maxSockets: number) {
  const idle: Connection[] = [];
  const all = new Set<Connection>();
  const waiters: Array<(connection: Connection) => void> = [];

  function take(): Promise<Connection> {
    // Most recently used first; one idle for nearly the server's keep-alive timeout could be closed under the request.
    for (let connection = idle.pop(); connection; connection = idle.pop()) {
      if (!connection.dead && performance.now() - connection.idleSince < MAX_IDLE_MS) return Promise.resolve(connection);
      connection.destroy();
      all.delete(connection);
    }
    if (all.size < maxSockets) {
      const connection = new Connection(port);
      all.add(connection);
      return Promise.resolve(connection);
    }
    return new Promise((resolve) => waiters.push(resolve));
  }

  function give(connection: Connection): void {
    if (connection.dead) {
      all.delete(connection);
      const waiter = waiters.shift();
      if (waiter) void take().then(waiter);
      return;
    }
    const waiter = waiters.shift();
    if (waiter) waiter(connection);
    else {
      connection.idleSince = performance.now();
      idle.push(connection);
    }
  }

  return {
    async request(method: string, path: string, headers: Record<string, string>, body: string): Promise<RawResponse> {
      const connection = await take();
      let head = `${method} ${path} HTTP/1.1\r\nhost: ${HOST}:${port}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
      for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
      try {
        return await connection.send(`${head}\r\n${body}`);
      } catch (error) {
        connection.destroy();
        throw error;
      } finally {
        give(connection);
      }
    },
    destroy(): void {
      for (const connection of all) connection.destroy();
      all.clear();
    },
  };
}
