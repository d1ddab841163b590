/**
 * A uTP connection as a Duplex, so PeerWire runs over it exactly as over a TCP socket
 * (remoteAddress and remotePort included).
 */
import { Duplex } from 'node:stream';
import type { UtpConnection } from './connection.js';

export class UtpStream extends Duplex {
  readonly transport = 'utp';
  private pendingWrite: (() => void) | undefined;

  constructor(
    private readonly connection: UtpConnection,
    readonly remoteAddress: string,
    readonly remotePort: number,
  ) {
    super({ allowHalfOpen: false, readableHighWaterMark: 256 * 1024, writableHighWaterMark: 64 * 1024 });
    connection.handlers.connect = () => this.emit('connect');
    connection.handlers.data = (chunk) => this.push(chunk);
    connection.handlers.end = () => this.push(null);
    connection.handlers.drain = () => {
      const done = this.pendingWrite;
      this.pendingWrite = undefined;
      done?.();
    };
  }

  get connected(): boolean {
    return this.connection.isConnected;
  }

  /** The connection is over (both FINs, a reset, a timeout, or our destroy). */
  connectionClosed(error?: Error): void {
    if (error) this.destroy(error);
    else if (!this.destroyed) {
      this.push(null);
      this.destroy();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.connection.state === 'closed') {
      callback(new Error('uTP connection closed'));
      return;
    }
    if (this.connection.write(chunk)) callback();
    else this.pendingWrite = () => callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.connection.end();
    callback();
  }

  override _read(): void {
    this.connection.windowOpened();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.connection.destroy();
    const done = this.pendingWrite;
    this.pendingWrite = undefined;
    done?.();
    callback(error);
  }
}
