import dgram from 'node:dgram';
import { trackerHosts } from './host-lookup.js';
import { randomBytes } from 'node:crypto';
import { isIP, isIPv6 } from 'node:net';
import { startDeadline, type Deadline } from './deadline.js';
import { TrackerError } from './errors.js';
import type { AnnounceParams, AnnounceResult, ScrapeStats, TrackerRequestOptions } from './types.js';
import {
  ACTION_ANNOUNCE,
  ACTION_CONNECT,
  ACTION_ERROR,
  ACTION_SCRAPE,
  MIN_REPLY_LENGTH,
  parseUdpAnnounce,
  parseUdpScrape,
  udpConnectionId,
  udpErrorText,
  udpReplyHeader,
} from './udp-messages.js';

/** BEP 15 magic constant sent in every connect request. */
const PROTOCOL_ID = 0x41727101980n;
const EVENT_CODES = { completed: 1, started: 2, stopped: 3 } as const;

export const CONNECTION_ID_LIFETIME_MS = 60_000;
export const DEFAULT_UDP_BASE_TIMEOUT_MS = 15_000;
export const DEFAULT_UDP_MAX_TRIES = 9;
/** Hashes per scrape packet: BEP 15 allows about 74 in one datagram. */
export const SCRAPE_HASHES_PER_PACKET = 70;

const connectionIds = new Map<string, { id: Buffer; expires: number }>();

/** Forgets cached connection ids (tests, or after a network change). */
export function clearUdpConnectionCache(): void {
  connectionIds.clear();
}

function parseUdpUrl(url: string): { host: string; port: number } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TrackerError(url, 'invalid URL');
  }
  const port = Number(parsed.port);
  if (parsed.protocol !== 'udp:' || !parsed.hostname) throw new TrackerError(url, 'invalid UDP tracker URL');
  if (!parsed.port || !(port > 0 && port < 65536)) throw new TrackerError(url, 'UDP tracker URL needs a port');
  return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

type Reply = { kind: 'reply'; msg: Buffer } | { kind: 'timeout' };

/** One socket to one tracker, carrying requests in turn; retransmits with doubling timeouts. */
class UdpTrackerSession {
  private socket: dgram.Socket | undefined;
  private key = '';
  private ipv6 = false;
  private tries = 0;
  private readonly baseTimeoutMs: number;
  private readonly maxTries: number;
  private readonly localAddress: string | undefined;

  constructor(
    private readonly url: string,
    private readonly deadline: Deadline,
    opts: TrackerRequestOptions,
  ) {
    this.localAddress = opts.localAddress;
    this.baseTimeoutMs = opts.udpBaseTimeoutMs ?? DEFAULT_UDP_BASE_TIMEOUT_MS;
    this.maxTries = Math.max(1, opts.udpMaxTries ?? DEFAULT_UDP_MAX_TRIES);
  }

  get isIPv6(): boolean {
    return this.ipv6;
  }

  async open(): Promise<void> {
    const { host, port } = parseUdpUrl(this.url);
    let address: string;
    let family: number;
    try {
      // Bound: only an address of the bound one's family can be reached from it.
      ({ address, family } = await this.abortable(trackerHosts.lookup(host, undefined, this.localAddress ? isIP(this.localAddress) : 0)));
    } catch (error) {
      if (this.deadline.signal.aborted) throw this.deadline.error();
      throw new TrackerError(this.url, `cannot resolve host '${host}'`);
    }
    this.ipv6 = family === 6 && isIPv6(address);
    this.key = `${this.localAddress ?? ''}>${address}:${port}`;
    const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
    this.socket = socket;
    await this.abortable(
      new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        const connect = () =>
          socket.connect(port, address, () => {
            socket.off('error', reject);
            resolve();
          });
        if (this.localAddress) socket.bind({ address: this.localAddress, port: 0 }, connect);
        else connect();
      }),
    ).catch((error: NodeJS.ErrnoException) => {
      if (this.deadline.signal.aborted) throw this.deadline.error();
      throw new TrackerError(this.url, `cannot open a UDP socket: ${error.code ?? error.message}`);
    });
    // Errors after connect (e.g. ICMP port unreachable) are handled per exchange.
    socket.on('error', () => {});
  }

  close(): void {
    try {
      this.socket?.close();
    } catch {
      // already closed
    }
    this.socket = undefined;
  }

  /** Sends `build(connectionId, transactionId)` until a reply with `action` arrives. */
  async request(action: number, build: (connectionId: Buffer, transactionId: number) => Buffer, minLength: number): Promise<Buffer> {
    for (;;) {
      const connectionId = await this.connectionId();
      const tid = randomBytes(4).readUInt32BE(0);
      const reply = await this.exchange(build(connectionId, tid), tid, action, minLength);
      if (reply.kind === 'reply') return reply.msg;
      this.spendTry();
    }
  }

  private async connectionId(): Promise<Buffer> {
    for (;;) {
      const cached = connectionIds.get(this.key);
      if (cached && cached.expires > Date.now()) return cached.id;
      connectionIds.delete(this.key);
      const tid = randomBytes(4).readUInt32BE(0);
      const packet = Buffer.alloc(16);
      packet.writeBigUInt64BE(PROTOCOL_ID, 0);
      packet.writeUInt32BE(ACTION_CONNECT, 8);
      packet.writeUInt32BE(tid, 12);
      const reply = await this.exchange(packet, tid, ACTION_CONNECT, MIN_REPLY_LENGTH[ACTION_CONNECT]);
      if (reply.kind === 'reply') {
        const id = udpConnectionId(reply.msg);
        connectionIds.set(this.key, { id, expires: Date.now() + CONNECTION_ID_LIFETIME_MS });
        return id;
      }
      this.spendTry();
    }
  }

  private spendTry(): void {
    this.tries++;
    if (this.tries >= this.maxTries) {
      throw new TrackerError(this.url, `no answer after ${this.tries} ${this.tries === 1 ? 'try' : 'tries'} (tracker down?)`);
    }
  }

  /** Sends one packet and waits 15·2^n s (scaled by the base timeout) for its answer. */
  private exchange(packet: Buffer, tid: number, action: number, minLength: number): Promise<Reply> {
    const socket = this.socket!;
    const waitMs = this.baseTimeoutMs * 2 ** this.tries;
    return new Promise<Reply>((resolve, reject) => {
      const finish = (fn: () => void) => {
        clearTimeout(timer);
        socket.off('message', onMessage);
        socket.off('error', onError);
        this.deadline.signal.removeEventListener('abort', onAbort);
        fn();
      };
      const onMessage = (msg: Buffer) => {
        const header = udpReplyHeader(msg);
        if (!header || header.transactionId !== tid) return;
        const replyAction = header.action;
        if (replyAction === ACTION_ERROR) {
          connectionIds.delete(this.key);
          const message = udpErrorText(msg);
          finish(() => reject(new TrackerError(this.url, message || 'tracker error (no message)')));
          return;
        }
        if (replyAction !== action || msg.length < minLength) return;
        finish(() => resolve({ kind: 'reply', msg }));
      };
      const onError = (error: NodeJS.ErrnoException) => {
        const reason =
          error.code === 'ECONNREFUSED' ? 'connection refused (tracker down?)' : `network error: ${error.code ?? error.message}`;
        finish(() => reject(new TrackerError(this.url, reason)));
      };
      const onAbort = () => finish(() => reject(this.deadline.error()));
      const timer = setTimeout(() => finish(() => resolve({ kind: 'timeout' })), waitMs);
      socket.on('message', onMessage);
      socket.on('error', onError);
      this.deadline.signal.addEventListener('abort', onAbort, { once: true });
      if (this.deadline.signal.aborted) return onAbort();
      socket.send(packet, (error) => {
        if (error) onError(error as NodeJS.ErrnoException);
      });
    });
  }

  private abortable<T>(promise: Promise<T>): Promise<T> {
    const signal = this.deadline.signal;
    if (signal.aborted) return Promise.reject(this.deadline.error());
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(this.deadline.error());
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }
}

async function withSession<T>(url: string, opts: TrackerRequestOptions, work: (session: UdpTrackerSession) => Promise<T>): Promise<T> {
  const deadline = startDeadline(url, opts);
  const session = new UdpTrackerSession(url, deadline, opts);
  try {
    await session.open();
    return await work(session);
  } finally {
    session.close();
    deadline.dispose();
  }
}

export function udpAnnounce(url: string, params: AnnounceParams, opts: TrackerRequestOptions = {}): Promise<AnnounceResult> {
  return withSession(url, opts, async (session) => {
    const msg = await session.request(
      ACTION_ANNOUNCE,
      (connectionId, tid) => {
        const packet = Buffer.alloc(98);
        connectionId.copy(packet, 0);
        packet.writeUInt32BE(ACTION_ANNOUNCE, 8);
        packet.writeUInt32BE(tid, 12);
        params.infoHash.copy(packet, 16, 0, 20);
        params.peerId.copy(packet, 36, 0, 20);
        packet.writeBigUInt64BE(BigInt(params.downloaded), 56);
        packet.writeBigUInt64BE(BigInt(params.left), 64);
        packet.writeBigUInt64BE(BigInt(params.uploaded), 72);
        packet.writeUInt32BE(params.event ? EVENT_CODES[params.event] : 0, 80);
        packet.writeUInt32BE(0, 84); // IP: let the tracker use the source address
        packet.writeUInt32BE((params.key ?? 0) >>> 0, 88);
        packet.writeInt32BE(params.numwant ?? -1, 92);
        packet.writeUInt16BE(params.port, 96);
        return packet;
      },
      MIN_REPLY_LENGTH[ACTION_ANNOUNCE],
    );
    return parseUdpAnnounce(msg, session.isIPv6);
  });
}

export function udpScrape(url: string, infoHashes: Buffer[], opts: TrackerRequestOptions = {}): Promise<Map<string, ScrapeStats>> {
  return withSession(url, opts, async (session) => {
    const out = new Map<string, ScrapeStats>();
    for (let start = 0; start < infoHashes.length; start += SCRAPE_HASHES_PER_PACKET) {
      const batch = infoHashes.slice(start, start + SCRAPE_HASHES_PER_PACKET);
      const msg = await session.request(
        ACTION_SCRAPE,
        (connectionId, tid) => {
          const packet = Buffer.alloc(16 + 20 * batch.length);
          connectionId.copy(packet, 0);
          packet.writeUInt32BE(ACTION_SCRAPE, 8);
          packet.writeUInt32BE(tid, 12);
          batch.forEach((hash, i) => hash.copy(packet, 16 + 20 * i, 0, 20));
          return packet;
        },
        MIN_REPLY_LENGTH[ACTION_SCRAPE],
      );
      parseUdpScrape(msg, batch, out);
    }
    return out;
  });
}
