import http from 'node:http';
import https from 'node:https';

/** What a source needs of a client: tests hand it a recorded or fake one. */
export interface RpcCaller {
  call<T = Record<string, unknown>>(method: string, args?: Record<string, unknown>): Promise<T>;
  close(): void;
}

/** Why a call failed, so a host's status line can say it plainly. */
export type RpcFailure = 'auth' | 'session' | 'tls' | 'network' | 'timeout' | 'not-transmission' | 'http' | 'result';

export class RpcError extends Error {
  constructor(
    message: string,
    readonly kind: RpcFailure,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

export interface RpcClientOptions {
  /** http(s)://host[:port]/path, without credentials. */
  url: string;
  username?: string;
  password?: string;
  /** A call that has not been answered in this long fails (the host is then offline). */
  timeoutMs?: number;
  /** Requests in flight at once (4 unless told). */
  maxSockets?: number;
}

const TLS_CODES = /^(CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)|ERR_TLS|ERR_SSL|EPROTO$|HOSTNAME_MISMATCH)/;

/**
 * A Transmission RPC client: POST JSON, Basic auth, and the X-Transmission-Session-Id dance
 * (a 409 hands out the id; the call is made again once with it). Every failure is an RpcError
 * whose message is one line a user can act on.
 */
export class RpcClient {
  private sessionId = '';
  private readonly url: URL;
  private readonly agent: http.Agent;
  private readonly authorization?: string;
  private readonly timeoutMs: number;

  constructor(options: RpcClientOptions) {
    this.url = new URL(options.url);
    const secure = this.url.protocol === 'https:';
    const maxSockets = options.maxSockets ?? 4;
    this.agent = secure ? new https.Agent({ keepAlive: true, maxSockets }) : new http.Agent({ keepAlive: true, maxSockets });
    if (options.username !== undefined || options.password !== undefined)
      this.authorization = `Basic ${Buffer.from(`${options.username ?? ''}:${options.password ?? ''}`).toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The arguments of a successful answer; throws an RpcError otherwise. */
  async call<T = Record<string, unknown>>(method: string, args?: Record<string, unknown>): Promise<T> {
    const reply = await this.exchange(method, args, true);
    let parsed: unknown;
    try {
      parsed = JSON.parse(reply.text);
    } catch {
      throw new RpcError('not a Transmission RPC server (the answer is not JSON)', 'not-transmission');
    }
    const envelope = parsed as { result?: unknown; arguments?: unknown };
    if (typeof envelope !== 'object' || envelope === null || typeof envelope.result !== 'string')
      throw new RpcError('not a Transmission RPC server (no "result" in the answer)', 'not-transmission');
    if (envelope.result !== 'success') throw new RpcError(`${method}: ${envelope.result}`, 'result');
    return (envelope.arguments ?? {}) as T;
  }

  /**
   * A call whose answer is counted, not read: its size in bytes once the last byte is in (what
   * a benchmark times, without this side's JSON parsing). Throws as call() does for HTTP failures.
   */
  async callForSize(method: string, args?: Record<string, unknown>): Promise<number> {
    return (await this.exchange(method, args, false)).bytes;
  }

  /** The POST with the session-id dance and the HTTP statuses as errors; the body kept when `keep`. */
  private async exchange(
    method: string,
    args: Record<string, unknown> | undefined,
    keep: boolean,
  ): Promise<{ text: string; bytes: number }> {
    const body = JSON.stringify(args === undefined ? { method } : { method, arguments: args });
    let reply = await this.post(body, keep);
    if (reply.status === 409) {
      const id = reply.sessionId;
      if (!id) throw new RpcError('not a Transmission RPC server (409 without a session id)', 'not-transmission');
      this.sessionId = id;
      reply = await this.post(body, keep);
      if (reply.status === 409) throw new RpcError('the server refuses every session id it hands out (409 twice)', 'session');
    }
    if (reply.status === 401)
      throw new RpcError(
        this.authorization ? 'wrong user name or password (401)' : 'needs a user name and password (401): see btui --help on --connect',
        'auth',
      );
    if (reply.status === 403) throw new RpcError("refused (403): the daemon's rpc-whitelist does not allow this address", 'auth');
    if (reply.status === 421)
      throw new RpcError('refused (421): the daemon does not accept this host name (its rpc-host-whitelist)', 'auth');
    if (reply.status === 404) throw new RpcError(`no Transmission RPC at ${this.url.pathname} (404)`, 'not-transmission');
    if (reply.status !== 200) throw new RpcError(`HTTP ${reply.status} from the server`, 'http');
    return reply;
  }

  close(): void {
    this.agent.destroy();
  }

  private post(body: string, keep: boolean): Promise<{ status: number; sessionId?: string; text: string; bytes: number }> {
    const secure = this.url.protocol === 'https:';
    const request = secure ? https.request : http.request;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(body)),
      'X-Transmission-Session-Id': this.sessionId,
    };
    if (this.authorization) headers.Authorization = this.authorization;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          protocol: this.url.protocol,
          hostname: this.url.hostname.replace(/^\[|\]$/g, ''),
          port: this.url.port || (secure ? 443 : 80),
          path: this.url.pathname + this.url.search,
          method: 'POST',
          headers,
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let bytes = 0;
          res.on('data', (c: Buffer) => {
            bytes += c.length;
            if (keep || res.statusCode !== 200) chunks.push(c);
          });
          res.on('error', (error) => reject(networkError(error, this.timeoutMs)));
          res.on('end', () => {
            clearTimeout(timer);
            const sid = res.headers['x-transmission-session-id'];
            resolve({
              status: res.statusCode ?? 0,
              sessionId: typeof sid === 'string' ? sid : undefined,
              text: Buffer.concat(chunks).toString('utf8'),
              bytes,
            });
          });
        },
      );
      const timer = setTimeout(() => req.destroy(Object.assign(new Error('timeout'), { code: 'BTUI_TIMEOUT' })), this.timeoutMs);
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(networkError(error, this.timeoutMs));
      });
      req.end(body);
    });
  }
}

function networkError(error: Error, timeoutMs: number): RpcError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code === 'BTUI_TIMEOUT')
    return new RpcError(`no answer in ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}`, 'timeout');
  if (TLS_CODES.test(code) || /SSL|TLS|certificate/i.test(error.message))
    return new RpcError(`TLS: ${tlsProblem(code, error.message)}`, 'tls');
  if (code === 'ECONNREFUSED') return new RpcError('connection refused (is the daemon running?)', 'network');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new RpcError('unknown host name', 'network');
  if (code === 'ECONNRESET' || code === 'EPIPE') return new RpcError('the connection was closed', 'network');
  if (code === 'HPE_INVALID_CONSTANT' || code.startsWith('HPE_'))
    return new RpcError('not a Transmission RPC server (the answer is not HTTP)', 'not-transmission');
  return new RpcError(error.message || code || 'network error', 'network');
}

function tlsProblem(code: string, message: string): string {
  if (/wrong version number|packet length too long|http request/i.test(message)) return 'the server does not speak TLS (try http://)';
  if (code === 'CERT_HAS_EXPIRED') return 'the certificate has expired';
  if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN')
    return 'the certificate is self-signed and not trusted (NODE_EXTRA_CA_CERTS=FILE.pem trusts it)';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'the certificate is for another host name';
  if (code.startsWith('UNABLE_TO_')) return "the certificate's issuer is not trusted (NODE_EXTRA_CA_CERTS=FILE.pem trusts it)";
  return message.split('\n')[0]!.trim();
}
