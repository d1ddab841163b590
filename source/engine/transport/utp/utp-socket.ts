/**
 * Every uTP connection on one UDP socket: packets are routed to their connection by the
 * sender's address and the connection id, a SYN for no connection becomes an incoming
 * stream, and one timer drives every connection's retransmissions. The socket itself is
 * not here: datagrams come in through receive() and go out through `send`, so the listen
 * port's UDP socket can be shared with the DHT, and tests can use a simulated link.
 */
import { performance } from 'node:perf_hooks';
import { UtpConnection, type ConnectionIo, type ConnectionOptions } from './connection.js';
import { decodePacket, HEADER_BYTES, PacketType, writeHeader } from './packet.js';
import { UtpStream } from './utp-stream.js';

export interface UtpSocketOptions {
  send(packet: Buffer, port: number, host: string): void;
  /** An incoming connection; without it, SYNs are ignored. */
  onConnection?(stream: UtpStream): void;
  connection?: ConnectionOptions;
  tickMs?: number;
  clock?: { nowMs(): number; nowUs(): number };
}

const realClock = {
  nowMs: () => performance.now(),
  nowUs: () => Math.floor(performance.now() * 1000) >>> 0,
};

export class UtpSocket {
  private readonly connections = new Map<string, UtpConnection>();
  private readonly ackDue = new Set<UtpConnection>();
  private ackScheduled = false;
  private readonly delayedAcks = new Set<UtpConnection>();
  private delayedAckTimer: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly clock: { nowMs(): number; nowUs(): number };

  constructor(private readonly options: UtpSocketOptions) {
    this.clock = options.clock ?? realClock;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** A datagram from host:port; false if it is not uTP (the caller may hand it to someone else). */
  receive(datagram: Buffer, host: string, port: number): boolean {
    const p = decodePacket(datagram);
    if (!p) return false;
    if (this.closed) return true;
    if (p.type === PacketType.Syn) {
      const recvId = (p.connectionId + 1) & 0xffff;
      const existing = this.connections.get(key(host, port, recvId));
      if (existing) existing.receive(p);
      else if (this.options.onConnection) {
        const { connection, stream } = this.open(host, port, recvId, p.connectionId);
        connection.accept(p);
        this.options.onConnection(stream);
      }
      return true;
    }
    const connection =
      this.connections.get(key(host, port, p.connectionId)) ??
      (p.type === PacketType.Reset ? this.bySendId(host, port, p.connectionId) : undefined);
    if (connection) connection.receive(p);
    else if (p.type === PacketType.Data || p.type === PacketType.Fin) this.sendReset(p.connectionId, host, port);
    return true;
  }

  /** Starts a connection; the stream emits 'connect' once the remote answers, or 'error' (ETIMEDOUT). */
  connect(host: string, port: number): UtpStream {
    let recvId: number;
    do recvId = Math.floor(Math.random() * 0x10000);
    while (this.connections.has(key(host, port, recvId)) || this.connections.has(key(host, port, (recvId + 1) & 0xffff)));
    const { connection, stream } = this.open(host, port, recvId, (recvId + 1) & 0xffff);
    connection.connect();
    return stream;
  }

  close(): void {
    this.closed = true;
    for (const c of [...this.connections.values()]) c.destroy();
    this.connections.clear();
    this.stopTimer();
    if (this.delayedAckTimer) clearTimeout(this.delayedAckTimer);
  }

  private open(host: string, port: number, recvId: number, sendId: number): { connection: UtpConnection; stream: UtpStream } {
    const k = key(host, port, recvId);
    const io: ConnectionIo = {
      send: (packet) => this.options.send(packet, port, host),
      nowMs: this.clock.nowMs,
      nowUs: this.clock.nowUs,
      scheduleAck: (c, delayed) => this.scheduleAck(c, delayed),
    };
    let stream: UtpStream | undefined;
    const connection = new UtpConnection(io, recvId, sendId, {
      ...this.options.connection,
      unread: () => stream?.readableLength ?? 0,
    });
    stream = new UtpStream(connection, host, port);
    this.connections.set(k, connection);
    connection.handlers.close = (error) => {
      if (this.connections.get(k) === connection) this.connections.delete(k);
      this.ackDue.delete(connection);
      this.delayedAcks.delete(connection);
      if (this.connections.size === 0) this.stopTimer();
      stream.connectionClosed(error);
    };
    this.startTimer();
    return { connection, stream };
  }

  /**
   * A packet for a connection we no longer have (our ack of its FIN was lost, or we dropped it):
   * a RESET carrying the id it used, which is the sender's send id.
   */
  private sendReset(connectionId: number, host: string, port: number): void {
    const packet = Buffer.allocUnsafe(HEADER_BYTES);
    writeHeader(packet, {
      type: PacketType.Reset,
      connectionId,
      timestamp: this.clock.nowUs(),
      timestampDiff: 0,
      windowSize: 0,
      seq: 0,
      ack: 0,
    });
    this.options.send(packet, port, host);
  }

  private bySendId(host: string, port: number, sendId: number): UtpConnection | undefined {
    const prefix = `${host}|${port}|`;
    for (const [k, c] of this.connections) if (k.startsWith(prefix) && c.sendId === sendId) return c;
    return undefined;
  }

  private scheduleAck(c: UtpConnection, delayed: boolean): void {
    if (delayed) {
      this.delayedAcks.add(c);
      this.delayedAckTimer ??= setTimeout(() => {
        this.delayedAckTimer = undefined;
        const due = [...this.delayedAcks];
        this.delayedAcks.clear();
        for (const connection of due) connection.flushAcks();
      }, 1);
      return;
    }
    this.delayedAcks.delete(c);
    this.ackDue.add(c);
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    // After every datagram of this read has been handled: one ack covers them all.
    setImmediate(() => {
      this.ackScheduled = false;
      const due = [...this.ackDue];
      this.ackDue.clear();
      for (const connection of due) connection.flushAcks();
    });
  }

  private startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      for (const c of [...this.connections.values()]) c.tick();
    }, this.options.tickMs ?? 50);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

function key(host: string, port: number, id: number): string {
  return `${host}|${port}|${id}`;
}
