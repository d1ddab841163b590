// The RPC's HTTP front: /transmission/rpc over node:http, with transmission-daemon's guards in
// its order — Basic auth (401), then the path (404), the Host check against DNS rebinding (421,
// only without auth), the body cap (413), the CSRF session id (409) — before a JSON request reaches
// dispatch. Sockets that idle or trickle are timed out, so slow clients cannot hold the server.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RpcBackend } from './backend.js';
import { AUTH_REALM, BasicAuth, checkRpcExposure, type RpcCredentials } from './auth.js';
import { isAllowedHost } from './host-check.js';
import { SessionIds } from './session-id.js';
import { badJsonResponse, dispatch, type RpcResponse } from './dispatch.js';
import type { MethodContext } from './methods/context.js';
import { serializeResponse } from './json-chunks.js';

export const RPC_PATH = '/transmission/rpc';
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

export interface RpcServerOptions {
  readonly backend: RpcBackend;
  /** Require HTTP Basic auth with these credentials. Without them any Host but an IP or localhost is refused. */
  readonly auth?: RpcCredentials;
  readonly host: string;
  /** 0 picks a free port (listen() says which). */
  readonly port: number;
  /** Host names allowed besides IP literals and localhost, when there is no auth. */
  readonly hostWhitelist?: readonly string[];
  /** Largest request body accepted; larger ones get 413 and the connection is closed. */
  readonly maxBodyBytes?: number;
  /** Time allowed to send the request headers (slow-loris guard). */
  readonly headersTimeoutMs?: number;
  /** Time allowed to send a whole request, body included. */
  readonly requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open. */
  readonly keepAliveTimeoutMs?: number;
  /** A socket with no traffic at all for this long is closed. */
  readonly idleTimeoutMs?: number;
  /** Longest a session id lives before a new one is made (clients learn it from a 409). */
  readonly sessionIdLifetimeMs?: number;
  readonly now?: () => number;
  /** One line per refused request and per internal error. */
  readonly log?: (line: string) => void;
}

export interface RpcServer {
  /** Rejects, without listening, when `host` reaches beyond loopback and there are no credentials. */
  listen(): Promise<{ port: number }>;
  close(): Promise<void>;
  /** The X-Transmission-Session-Id in force. */
  sessionId(): string;
}

const HTML = 'text/html; charset=ISO-8859-1';

function csrfPage(id: string): string {
  return (
    '<h1>409: Conflict</h1><p>Your request had an invalid session-id header.</p>' +
    '<p>To fix this, follow these steps:<ol><li> When reading a response, get its X-Transmission-Session-Id header and remember it' +
    '<li> Add the updated header to your outgoing requests<li> When you get this 409 error message, resend your request with the updated header</ol></p>' +
    '<p>This requirement has been added to help prevent <a href="https://en.wikipedia.org/wiki/Cross-site_request_forgery">CSRF</a> attacks.</p>' +
    `<p><code>X-Transmission-Session-Id: ${id}</code></p>`
  );
}

const MISDIRECTED_PAGE =
  '<h1>421: Misdirected Request</h1><p>btui received your request, but the hostname was unrecognized.</p>' +
  '<p>To fix this, choose one of the following options:<ul><li>Enable password authentication (--rpc-auth), then any hostname is allowed.</li>' +
  '<li>Use an IP address or localhost in the URL.</li></ul></p>' +
  '<p>This requirement has been added to help prevent <a href="https://en.wikipedia.org/wiki/DNS_rebinding">DNS Rebinding</a> attacks.</p>';

/** Whether the request still has body bytes the server has not read. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export function createRpcServer(options: RpcServerOptions): RpcServer {
  const { backend, host } = options;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const auth = options.auth ? new BasicAuth(options.auth) : undefined;
  const ids = new SessionIds(now, options.sessionIdLifetimeMs);
  const ctx: MethodContext = { backend, sessionId: () => ids.current(), now };
  const headersTimeout = options.headersTimeoutMs ?? 10_000;

  /** An HTML error page. A request whose body is left unread gets its connection closed after it. */
  function refuse(req: IncomingMessage, res: ServerResponse, status: number, page: string, headers: Record<string, string> = {}): void {
    const body = Buffer.from(page, 'latin1');
    res.writeHead(status, {
      Server: 'btui',
      'Content-Type': HTML,
      'Content-Length': body.length,
      ...(hasBody(req) && !req.complete ? { Connection: 'close' } : {}),
      ...headers,
    });
    res.end(body);
  }

  function sendJson(res: ServerResponse, response: RpcResponse): void {
    // Pieces, written in turn: a 10,000-torrent list is never joined into one string first.
    const chunks = serializeResponse(response);
    let length = 0;
    for (const c of chunks) length += typeof c === 'string' ? Buffer.byteLength(c, 'utf8') : c.length;
    res.writeHead(200, { Server: 'btui', 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': length });
    for (let i = 0; i < chunks.length - 1; i++) res.write(chunks[i]!);
    res.end(chunks[chunks.length - 1]!);
  }

  /** Reads the body up to the cap; undefined when it is larger (a 413 is sent) or the client went away. */
  function readBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      req.on('data', (chunk: Buffer) => {
        if (over) return;
        size += chunk.length;
        if (size > maxBody) {
          over = true;
          chunks.length = 0;
          req.pause();
          tooLarge(req, res);
          resolve(undefined);
        } else chunks.push(chunk);
      });
      req.on('end', () => {
        if (!over) resolve(Buffer.concat(chunks, size));
      });
      // A client gone mid-body: nothing to answer (resolving twice is harmless).
      req.on('close', () => {
        if (!req.complete) resolve(undefined);
      });
      req.on('error', reject);
    });
  }

  function tooLarge(req: IncomingMessage, res: ServerResponse): void {
    log(`rpc: refused a request body over ${maxBody} bytes from ${req.socket.remoteAddress}`);
    res.shouldKeepAlive = false;
    refuse(req, res, 413, `<h1>413: Payload Too Large</h1><p>Request bodies are limited to ${maxBody} bytes.</p>`, { Connection: 'close' });
    // Stop reading: the socket closes once the answer is out, and is destroyed if the client lingers.
    res.on('finish', () => {
      req.socket.end();
      setTimeout(() => req.socket.destroy(), 1000).unref();
    });
  }

  /** `expectsContinue`: the client waits for "100 Continue" before sending its body (curl does above 1 MB). */
  async function handle(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): Promise<void> {
    if (auth && !auth.check(req.headers.authorization)) {
      log(`rpc: refused unauthenticated request from ${req.socket.remoteAddress}`);
      refuse(req, res, 401, '<h1>401: Unauthorized</h1>Unauthorized User', { 'WWW-Authenticate': `Basic realm="${AUTH_REALM}"` });
      return;
    }
    const url = req.url ?? '/';
    const path = url.split('?', 1)[0]!;
    if (path !== RPC_PATH && path !== `${RPC_PATH}/`) {
      refuse(req, res, 404, '<h1>404: Not Found</h1>');
      return;
    }
    if (!auth && !isAllowedHost(req.headers.host, options.hostWhitelist)) {
      log(`rpc: refused Host "${req.headers.host}" from ${req.socket.remoteAddress} (DNS rebinding guard)`);
      refuse(req, res, 421, MISDIRECTED_PAGE);
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (Number.isFinite(declared) && declared > maxBody) {
      tooLarge(req, res);
      return;
    }
    if (!ids.matches(req.headers['x-transmission-session-id'])) {
      const id = ids.current();
      refuse(req, res, 409, csrfPage(id), { 'X-Transmission-Session-Id': id });
      return;
    }

    let request: unknown;
    if (req.method === 'POST') {
      // Only now, past every check, is the client invited to send its body.
      if (expectsContinue) res.writeContinue();
      const body = await readBody(req, res);
      if (body === undefined) return;
      const text = body.toString('utf8');
      if (text.trim() === '') {
        sendJson(res, badJsonResponse('the body is empty'));
        return;
      }
      try {
        request = JSON.parse(text);
      } catch (error) {
        sendJson(res, badJsonResponse((error as Error).message));
        return;
      }
    } else if (req.method === 'GET') {
      // transmission-daemon also answers GET ?method=...; no arguments travel that way.
      const query = new URL(url, 'http://localhost').searchParams;
      const tag = query.get('tag');
      request = { method: query.get('method') ?? undefined, ...(tag !== null && /^\d{1,15}$/.test(tag) ? { tag: Number(tag) } : {}) };
    } else {
      refuse(req, res, 405, '<h1>405: Method Not Allowed</h1>', { Allow: 'GET, POST' });
      return;
    }
    sendJson(res, await dispatch(request, ctx));
  }

  function run(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void {
    handle(req, res, expectsContinue).catch((error: unknown) => {
      log(`rpc: internal error: ${(error as Error)?.stack ?? String(error)}`);
      if (!res.headersSent) sendJson(res, { result: 'internal error', arguments: {} });
      else res.destroy();
    });
  }

  const server: Server = createHttpServer(
    {
      headersTimeout,
      requestTimeout: options.requestTimeoutMs ?? 60_000,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
      // How often node looks for requests over their header/request timeouts.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))),
      maxHeaderSize: 16 * 1024,
    },
    (req, res) => run(req, res, false),
  );
  server.on('checkContinue', (req, res) => run(req, res, true));
  server.timeout = options.idleTimeoutMs ?? 60_000;
  server.on('clientError', (error, socket) => {
    // Malformed requests, header overflows and timeouts: answer if the socket can still take it.
    const code = (error as NodeJS.ErrnoException).code;
    if (socket.writable && code !== 'ECONNRESET') {
      const status =
        code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? '408 Request Timeout'
            : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroy();
  });

  return {
    listen: () =>
      new Promise((resolve, reject) => {
        const exposed = checkRpcExposure(host, options.auth);
        if (exposed !== undefined) {
          reject(new Error(exposed));
          return;
        }
        server.once('error', reject);
        server.listen(options.port, host, () => {
          server.off('error', reject);
          resolve({ port: (server.address() as AddressInfo).port });
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    sessionId: () => ids.current(),
  };
}
