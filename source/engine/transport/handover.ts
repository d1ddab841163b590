import type { Duplex } from 'node:stream';
import type { Message } from '../wire/messages.js';
import type { PeerWire } from '../wire/peer-wire.js';

/**
 * A handshaken connection one part of the engine made and hands to another: the magnet's
 * metadata fetcher to the torrent its metadata became. Redialling instead costs time, and some
 * clients (Transmission) refuse a second connection while the first is on their books.
 */
export interface HandedOverPeer {
  /** The address it was dialled at (its listen address). */
  host: string;
  port: number;
  wire: PeerWire;
  stream: Duplex;
  /**
   * Stops recording and returns what the peer said since the handshake (its bitfield, haves,
   * unchoke...) for the new owner to replay; undefined if it said too much to keep.
   */
  release(): Message[] | undefined;
}
