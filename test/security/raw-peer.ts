/**
 * A scripted peer on a raw TCP socket: it speaks just enough of the wire protocol to
 * misbehave on purpose. Each one binds its own loopback address so the engine sees
 * distinct hosts.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { encodeHandshake } from '../../source/engine/wire/handshake.js';

export class RawPeer {
  readonly peerId = Buffer.concat([Buffer.from('-XX0001-'), randomBytes(12)]);
  received = 0;
  /** Parsed messages from the engine after its handshake: [id, payload]. */
  readonly messages: [number, Buffer][] = [];
  remoteHandshake?: Buffer;
  private buffer: Buffer = Buffer.alloc(0);
  readonly closed: Promise<void>;
  closedAt?: number;
  onMessage?: (id: number, payload: Buffer) => void;

  private constructor(
    readonly socket: net.Socket,
    readonly host: string,
  ) {
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.closedAt = Date.now();
        resolve();
      }),
    );
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  static connect(port: number, localAddress: string): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => resolve(new RawPeer(socket, localAddress)));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closedAt !== undefined;
  }

  handshake(infoHash: Buffer, options = { fast: true, extended: false }): void {
    this.write(encodeHandshake(infoHash, this.peerId, { ...options, dht: false }));
  }

  /** A length-prefixed message with this id and payload. */
  send(id: number, payload: Buffer = Buffer.alloc(0)): boolean {
    const head = Buffer.alloc(5);
    head.writeUInt32BE(1 + payload.length, 0);
    head[4] = id;
    return this.write(Buffer.concat([head, payload]));
  }

  write(bytes: Buffer): boolean {
    if (this.socket.destroyed) return false;
    return this.socket.write(bytes);
  }

  /** Resolves true if the engine closes the connection within `ms`. */
  async closedWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      this.closed.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
    ]);
    clearTimeout(timer);
    return result;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.received += chunk.length;
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    if (!this.remoteHandshake) {
      if (this.buffer.length < 68) return;
      this.remoteHandshake = this.buffer.subarray(0, 68);
      this.buffer = this.buffer.subarray(68);
    }
    while (this.buffer.length >= 4) {
      const length = this.buffer.readUInt32BE(0);
      if (this.buffer.length < 4 + length) return;
      if (length > 0) {
        const id = this.buffer[4]!;
        const payload = Buffer.from(this.buffer.subarray(5, 4 + length));
        this.messages.push([id, payload]);
        this.onMessage?.(id, payload);
      }
      this.buffer = this.buffer.subarray(4 + length);
    }
  }
}

export const MSG = {
  choke: 0,
  unchoke: 1,
  interested: 2,
  have: 4,
  bitfield: 5,
  request: 6,
  piece: 7,
  haveAll: 0x0e,
  reject: 0x10,
} as const;

export function request(index: number, begin: number, length: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt32BE(index, 0);
  b.writeUInt32BE(begin, 4);
  b.writeUInt32BE(length, 8);
  return b;
}

export function piece(index: number, begin: number, block: Buffer): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(index, 0);
  b.writeUInt32BE(begin, 4);
  return Buffer.concat([b, block]);
}
