/**
 * The payload stream after an MSE/PE handshake: writes are encrypted (when RC4 was picked) on
 * their way to the socket; reads arrive through `deliverTo`, decrypted in place, never as 'data'
 * events. Its writableLength counts the socket's buffer too, so PeerWire's back-pressure and
 * 'drain' work as over a bare socket.
 */
import { Duplex, Writable } from 'node:stream';
import type { Rc4 } from './rc4.js';

const baseWritableLength = Object.getOwnPropertyDescriptor(Writable.prototype, 'writableLength')!.get!;

export class CipherStream extends Duplex {
  private receiver: ((chunk: Buffer) => void) | undefined;
  private early: Buffer[] = [];
  /** The transport beneath ('utp' for a uTP stream; TCP sockets carry none), for the peer's stats. */
  readonly transport: string | undefined;

  /**
   * `source` registers where the socket's bytes go (a shared read buffer's deliverTo, or 'data'
   * events); `initial` is payload that arrived with the end of the handshake, decrypted already.
   */
  constructor(
    private readonly socket: Duplex,
    private readonly encrypt: Rc4 | undefined,
    private readonly decrypt: Rc4 | undefined,
    source: (receiver: (chunk: Buffer) => void) => void,
    initial: Buffer,
  ) {
    super({ allowHalfOpen: false, decodeStrings: false });
    this.transport = (socket as { transport?: string }).transport;
    if (initial.length > 0) this.early.push(initial);
    source((chunk) => {
      this.decrypt?.update(chunk);
      if (this.receiver) this.receiver(chunk);
      else this.early.push(Buffer.from(chunk));
    });
    Object.defineProperty(this, 'writableLength', {
      get: () => baseWritableLength.call(this) + socket.writableLength,
    });
    socket.on('drain', () => this.emit('drain'));
    socket.on('error', (error) => this.destroy(error));
    socket.on('close', () => this.destroy());
    socket.on('end', () => this.push(null));
  }

  /** Where decrypted bytes go; those already here are handed over first. */
  deliverTo(receiver: (chunk: Buffer) => void): void {
    this.receiver = receiver;
    const held = this.early;
    this.early = [];
    for (const chunk of held) receiver(chunk);
  }

  setNoDelay(on: boolean): void {
    (this.socket as Duplex & { setNoDelay?: (on: boolean) => void }).setNoDelay?.(on);
  }

  /** Throttling pauses the socket itself: reads bypass this stream's readable side. */
  override pause(): this {
    this.socket.pause();
    return this;
  }

  override resume(): this {
    this.socket.resume();
    return this;
  }

  override isPaused(): boolean {
    return this.socket.isPaused();
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.encrypt) {
      // The caller may reuse `chunk` once called back (a cached block): only when the socket has it.
      this.socket.write(chunk, callback);
      return;
    }
    // Into a new buffer: the caller's is not ours to scramble, and is free as soon as it is read.
    this.socket.write(this.encrypt.encrypted(chunk));
    callback();
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    if (!this.encrypt) {
      this.socket.cork();
      for (let i = 0; i < chunks.length; i++) this.socket.write(chunks[i]!.chunk, i === chunks.length - 1 ? callback : undefined);
      this.socket.uncork();
      return;
    }
    this.socket.write(this.encrypt.update(Buffer.concat(chunks.map((c) => c.chunk))));
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
}
