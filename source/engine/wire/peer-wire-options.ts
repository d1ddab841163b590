// A PeerWire's options, events and errors, apart so that users of the wire read them in one place.
import type { ExtensionHandshake } from './extension.js';
import type { Handshake } from './handshake.js';
import type { Message } from './messages.js';

export interface PeerWireOptions {
  /** Known for outgoing connections; for incoming ones wait for 'handshake', then call sendHandshake. */
  infoHash?: Buffer;
  peerId: Buffer;
  /** Default: max(1 MiB + 13, room for a bitfield of 2^20 pieces). */
  maxMessageLength?: number;
  /** Our reserved bits (default true, true). */
  extended?: boolean;
  fast?: boolean;
  dht?: boolean;
  /** Sent right after both handshakes when the remote supports BEP 10. */
  extensions?: ExtensionHandshake;
  keepAliveMs?: number;
  idleTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  /**
   * writableNeedDrain() turns true once this many bytes wait in the socket's buffer
   * (at least the socket's own high water mark). Default 256 KiB.
   */
  sendBufferBytes?: number;
  /** Our handshake already went out (inside an MSE/PE handshake's initial payload). */
  handshakeAlreadySent?: boolean;
  /** The stream is RC4-encrypted (MSE/PE); shown to the user, changes nothing here. */
  encrypted?: boolean;
  /**
   * Bytes come only through receive(), never as the stream's 'data' events: after an MSE/PE
   * handshake the stream may be the socket itself, whose 'data' the handshake's reader takes.
   */
  readsDelivered?: boolean;
}

export class WireTimeoutError extends Error {
  override name = 'WireTimeoutError';
}

export const DEFAULT_MAX_MESSAGE_LENGTH = Math.max(1024 * 1024 + 13, 1 + (1 << 20) / 8 + 4);

export interface PeerWireEvents {
  handshake: [h: Handshake];
  message: [m: Message];
  'extended-handshake': [h: ExtensionHandshake];
  drain: [];
  close: [reason?: Error];
}
