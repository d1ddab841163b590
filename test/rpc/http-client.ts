// A small HTTP client for the RPC tests: one request per connection, and the 409 session-id dance.
import { request as httpRequest } from 'node:http';
import { createRpcServer, type RpcServer, type RpcServerOptions } from '../../source/rpc/server.js';
import { FakeBackend } from './fake-backend.js';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** `discard`: count the body's bytes instead of keeping them (for timings). */
export function send(
  port: number,
  opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; discard?: boolean } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: opts.method ?? 'POST',
        path: opts.path ?? '/transmission/rpc',
        headers: opts.headers ?? {},
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (c: Buffer) => (opts.discard ? (bytes += c.length) : chunks.push(c)));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: opts.discard ? String(bytes) : Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

export const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Posts a JSON request, fetching the session id first (as Sonarr and Flood do). */
export async function rpc(
  port: number,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ result: string; arguments: Record<string, unknown>; tag?: number }> {
  const first = await send(port, { method: 'GET', headers });
  const sid = first.headers['x-transmission-session-id'];
  if (typeof sid !== 'string') throw new Error(`no session id (HTTP ${first.status})`);
  const reply = await send(port, {
    headers: { ...headers, 'X-Transmission-Session-Id': sid, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (reply.status !== 200) throw new Error(`HTTP ${reply.status}: ${reply.text}`);
  return JSON.parse(reply.text);
}

/** Starts a server on 127.0.0.1 over a fresh fake backend. */
export async function startServer(
  options: Partial<RpcServerOptions> & { backend?: FakeBackend } = {},
): Promise<{ server: RpcServer; port: number; backend: FakeBackend }> {
  const backend = options.backend ?? new FakeBackend();
  const server = createRpcServer({ host: '127.0.0.1', port: 0, ...options, backend });
  const { port } = await server.listen();
  return { server, port, backend };
}
