/**
 * One peer connection's protocol layer over any Duplex: handshakes, framing, message
 * events, keep-alives and timeouts, byte and rate accounting. No torrent logic.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { encodeExtensionHandshake, decodeExtensionHandshake, EXTENDED_HANDSHAKE_ID, type ExtensionHandshake } from './extension.js';
import { Framer } from './framer.js';
import { decodeHandshake, encodeHandshake, HANDSHAKE_LENGTH, PROTOCOL, type Handshake } from './handshake.js';
import {
  encodeMessage,
  encodeRequests,
  encodePayloadHeader,
  encodePieceHeader,
  FAST_TYPES,
  MessageId,
  ProtocolError,
  tryDecodeMessage,
  type Message,
} from './messages.js';
import { RateMeter } from './rate-meter.js';
import { DEFAULT_MAX_MESSAGE_LENGTH, WireTimeoutError, type PeerWireEvents, type PeerWireOptions } from './peer-wire-options.js';

export { DEFAULT_MAX_MESSAGE_LENGTH, WireTimeoutError } from './peer-wire-options.js';
export type { PeerWireEvents, PeerWireOptions } from './peer-wire-options.js';

const enum Phase {
  AwaitingHandshake,
  /** Remote handshake received; ours not sent yet (incoming connection). */
  AwaitingOurHandshake,
  Open,
}

/**
 * Messages the remote sends after its handshake but before ours are held (not parsed) until
 * sendHandshake is called. A ProtocolError thrown by a 'message' listener also closes the
 * wire with that reason, so callers can reject e.g. a bitfield of the wrong size by throwing.
 * A piece message's block is a view into the receive buffer, valid only while the 'message'
 * listeners run: copy it to keep it (the buffer is reused for the next read). Every other
 * message's payload (bitfield, extended) is a copy of its own.
 */
export class PeerWire extends EventEmitter<PeerWireEvents> {
  readonly downloadRate = new RateMeter();
  readonly uploadRate = new RateMeter();
  bytesReceived = 0;
  bytesSent = 0;

  private readonly socket: Duplex;
  private readonly options: PeerWireOptions;
  private readonly framer: Framer;
  private readonly sendBufferBytes: number;
  private phase = Phase.AwaitingHandshake;
  private handshakeSent = false;
  private extensionHandshakeSent = false;
  private emittingHandshake = false;
  private processing = false;
  private corked = false;
  private isDestroyed = false;
  private remote: Handshake | undefined;
  private remoteExt: ExtensionHandshake | undefined;
  private lastReceive = Date.now();
  private lastSend = Date.now();
  private receivedSinceTick = false;
  private sentSinceTick = false;
  private tickTimer: NodeJS.Timeout | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;

  constructor(socket: Duplex, options: PeerWireOptions) {
    super();
    if (options.peerId.length !== 20) throw new RangeError('peer id must be 20 bytes');
    this.socket = socket;
    this.options = options;
    this.framer = new Framer(options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH);
    this.sendBufferBytes = Math.max(options.sendBufferBytes ?? 256 * 1024, socket.writableHighWaterMark ?? 0);

    // We batch small messages ourselves (cork until the end of the tick), so Nagle only adds latency.
    (socket as Duplex & { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);

    if (!options.readsDelivered) socket.on('data', this.onData);
    socket.on('drain', this.onDrain);
    socket.on('error', this.onError);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);

    const keepAliveMs = options.keepAliveMs ?? 60_000;
    const idleTimeoutMs = options.idleTimeoutMs ?? 150_000;
    const period = Math.max(5, Math.min(keepAliveMs, idleTimeoutMs) / 4);
    this.tickTimer = setInterval(() => this.tick(keepAliveMs, idleTimeoutMs), period);
    this.tickTimer.unref();
    const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 20_000;
    this.handshakeTimer = setTimeout(
      () => this.destroy(new WireTimeoutError(`no handshake within ${handshakeTimeoutMs} ms`)),
      handshakeTimeoutMs,
    );
    this.handshakeTimer.unref();

    if (socket.destroyed) {
      this.destroy(new Error('socket already closed'));
      return;
    }
    if (options.infoHash) this.sendHandshake(options.infoHash);
  }

  get encrypted(): boolean {
    return this.options.encrypted === true;
  }

  get destroyed(): boolean {
    return this.isDestroyed;
  }

  get remoteHandshake(): Handshake | undefined {
    return this.remote;
  }

  get remoteExtensions(): ExtensionHandshake | undefined {
    return this.remoteExt;
  }

  /** Both sides set the BEP 6 bit. */
  get fastEnabled(): boolean {
    return (this.options.fast ?? true) && this.remote?.fast === true;
  }

  /** Both sides set the BEP 10 bit. */
  get extendedEnabled(): boolean {
    return (this.options.extended ?? true) && this.remote?.extended === true;
  }

  /** Bytes written and not yet taken by the socket (the peer is slow to read, or not reading). */
  get writableLength(): number {
    return this.socket.writableLength;
  }

  writableNeedDrain(): boolean {
    return this.socket.writableLength >= this.sendBufferBytes;
  }

  sendHandshake(infoHash: Buffer): void {
    if (this.isDestroyed) return;
    if (this.handshakeSent) throw new Error('handshake already sent');
    if (this.remote && !this.remote.infoHash.equals(infoHash)) {
      this.destroy(new ProtocolError('info-hash mismatch'));
      return;
    }
    this.handshakeSent = true;
    const o = this.options;
    if (!o.handshakeAlreadySent)
      this.write(encodeHandshake(infoHash, o.peerId, { extended: o.extended ?? true, fast: o.fast ?? true, dht: o.dht ?? false }));
    if (this.phase === Phase.AwaitingOurHandshake) {
      this.phase = Phase.Open;
      if (!this.emittingHandshake) {
        // Deferred so that a bitfield the caller sends right after this still goes first.
        process.nextTick(() => this.maybeSendExtensionHandshake());
        this.process();
      }
    }
  }

  send(m: Message): void {
    if (this.isDestroyed) return;
    if (!this.handshakeSent) throw new Error(`cannot send ${m.type} before the handshake`);
    switch (m.type) {
      case 'piece':
        this.sendPiece(m.index, m.begin, m.block);
        return;
      case 'bitfield':
        this.write(encodePayloadHeader(MessageId.bitfield, m.bitfield.length));
        this.write(m.bitfield);
        return;
      case 'extended':
        if (!Number.isInteger(m.id) || m.id < 0 || m.id > 255) throw new RangeError(`bad extended message id ${m.id}`);
        this.write(encodePayloadHeader(MessageId.extended, m.payload.length, m.id));
        this.write(m.payload);
        return;
      default:
        this.write(encodeMessage(m));
    }
  }

  /** Request messages for all of `requests`, written at once. */
  sendRequests(requests: readonly { index: number; begin: number; length: number }[]): void {
    if (this.isDestroyed || requests.length === 0) return;
    if (!this.handshakeSent) throw new Error('cannot send request before the handshake');
    this.write(encodeRequests(requests));
  }

  /**
   * Writes the 13-byte header and then `block` itself: the block is not copied, so do not reuse
   * it before `onDone`, called once it is written or will never be (an error, a closed wire).
   */
  sendPiece(index: number, begin: number, block: Buffer, onDone?: () => void): void {
    if (this.isDestroyed) return onDone?.();
    if (!this.handshakeSent) throw new Error('cannot send piece before the handshake');
    this.write(encodePieceHeader(index, begin, block.length));
    this.write(block, onDone);
    this.uploadRate.add(block.length);
  }

  sendExtendedHandshake(h: ExtensionHandshake): void {
    this.extensionHandshakeSent = true;
    this.send({ type: 'extended', id: EXTENDED_HANDSHAKE_ID, payload: encodeExtensionHandshake(h) });
  }

  destroy(reason?: Error): void {
    if (this.isDestroyed) return;
    this.isDestroyed = true;
    clearInterval(this.tickTimer);
    clearTimeout(this.handshakeTimer);
    this.socket.off('data', this.onData);
    this.socket.off('drain', this.onDrain);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onClose);
    // Late socket errors after destroy must not become unhandled 'error' events.
    this.socket.destroy();
    // Deferred so that code calling destroy() from a listener does not see 'close' re-entrantly.
    process.nextTick(() => this.emit('close', reason));
  }

  private write(buf: Uint8Array, onDone?: () => void): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    this.socket.write(buf, onDone);
    this.bytesSent += buf.length;
    this.sentSinceTick = true;
  }

  private readonly uncork = (): void => {
    this.corked = false;
    if (!this.socket.destroyed) this.socket.uncork();
  };

  /**
   * Bytes from the peer, for sockets that do not emit 'data' (those reading into a shared
   * buffer): `chunk` is only borrowed, whatever is kept of it is copied before this returns.
   */
  receive(chunk: Buffer): void {
    if (this.isDestroyed) return;
    this.bytesReceived += chunk.length;
    this.receivedSinceTick = true;
    this.framer.push(chunk);
    if (this.phase === Phase.AwaitingOurHandshake && this.framer.length > this.framer.maxMessageLength + 4) {
      // Held until we answer, but a peer cannot make us hold more than one message's worth.
      this.destroy(new ProtocolError('too much data before our handshake'));
      return;
    }
    this.process();
    this.framer.retain();
  }

  private readonly onData = (chunk: Buffer): void => {
    this.receive(chunk);
  };

  private readonly onDrain = (): void => {
    this.emit('drain');
  };

  private readonly onError = (error: Error): void => {
    this.destroy(error);
  };

  private readonly onEnd = (): void => {
    this.destroy();
  };

  private readonly onClose = (): void => {
    this.destroy();
  };

  private process(): void {
    if (this.processing) return;
    this.processing = true;
    try {
      this.processFrames();
    } catch (error) {
      if (error instanceof ProtocolError) this.destroy(error);
      else throw error;
    } finally {
      this.processing = false;
    }
  }

  private processFrames(): void {
    if (this.phase === Phase.AwaitingHandshake) {
      if (!this.readHandshake()) return;
    }
    let now = 0;
    while (this.phase === Phase.Open && !this.isDestroyed) {
      const body = this.framer.next();
      if (body === null) return;
      // Decoded from a view into the receive buffer; bitfield and extended payloads may be kept, so
      // theirs are copied (the other messages keep numbers only, a piece's block is copied by its receiver).
      const m = tryDecodeMessage(
        body.length > 0 && (body[0] === MessageId.bitfield || body[0] === MessageId.extended) ? Buffer.from(body) : body,
      );
      if (m === null) continue;
      if (FAST_TYPES.has(m.type) && !this.fastEnabled) {
        throw new ProtocolError(`${m.type} message without the fast extension`);
      }
      if (m.type === 'piece') {
        if (now === 0) now = Date.now();
        this.downloadRate.add(m.block.length, now);
      } else if (m.type === 'extended' && m.id === EXTENDED_HANDSHAKE_ID) {
        const h = decodeExtensionHandshake(m.payload);
        this.remoteExt = h;
        this.emit('extended-handshake', h);
        if (this.isDestroyed) return;
      }
      this.emit('message', m);
    }
  }

  /** Consumes the remote handshake if it is complete; throws early on bytes that cannot start one. */
  private readHandshake(): boolean {
    const available = Math.min(this.framer.length, PROTOCOL.length);
    for (let i = 0; i < available; i++) {
      if (this.framer.byteAt(i) !== PROTOCOL[i]) throw new ProtocolError('not a BitTorrent handshake');
    }
    if (this.framer.length < HANDSHAKE_LENGTH) return false;
    const h = decodeHandshake(this.framer.take(HANDSHAKE_LENGTH));
    if (this.options.infoHash && !h.infoHash.equals(this.options.infoHash)) throw new ProtocolError('info-hash mismatch');
    this.remote = h;
    clearTimeout(this.handshakeTimer);
    this.phase = this.handshakeSent ? Phase.Open : Phase.AwaitingOurHandshake;
    // Listeners typically answer with sendHandshake and a bitfield; the extension handshake
    // follows them, so the bitfield stays the first message as BEP 3 wants.
    this.emittingHandshake = true;
    try {
      this.emit('handshake', h);
    } finally {
      this.emittingHandshake = false;
    }
    if (this.isDestroyed) return false;
    if (this.phase === Phase.Open) this.maybeSendExtensionHandshake();
    return true;
  }

  private maybeSendExtensionHandshake(): void {
    if (this.isDestroyed || this.extensionHandshakeSent || !this.options.extensions || !this.extendedEnabled) return;
    this.sendExtendedHandshake(this.options.extensions);
  }

  private tick(keepAliveMs: number, idleTimeoutMs: number): void {
    const now = Date.now();
    if (this.receivedSinceTick) {
      this.receivedSinceTick = false;
      this.lastReceive = now;
    }
    if (this.sentSinceTick) {
      this.sentSinceTick = false;
      this.lastSend = now;
    }
    if (now - this.lastReceive >= idleTimeoutMs) {
      this.destroy(new WireTimeoutError(`nothing received for ${idleTimeoutMs} ms`));
      return;
    }
    if (this.handshakeSent && now - this.lastSend >= keepAliveMs) {
      this.write(Buffer.alloc(4));
      this.lastSend = now;
      this.sentSinceTick = false;
    }
  }
}

export { ProtocolError };
export type { Handshake, ExtensionHandshake, Message };
