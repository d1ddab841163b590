import type { ExtensionHandshake } from '../wire/extension.js';

/** What a BEP 10 extension sees of one connected peer that supports it. */
export interface ExtensionPeer {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly remote: ExtensionHandshake;
  /** Sends an extended message of this extension (under the id the remote asked for). */
  send(payload: Buffer): void;
  /** Drops the peer for misbehaving within this extension. */
  disconnect(reason: string): void;
}

/**
 * A BEP 10 extension plugged into a torrent (ut_metadata, ut_pex, ...). The torrent assigns
 * local message ids, advertises `name` in its extension handshake, and routes messages.
 */
export interface WireExtension {
  readonly name: string;
  /** Extra keys for our extension handshake, e.g. metadata_size. */
  handshakeFields?(): Partial<Omit<ExtensionHandshake, 'm'>>;
  /** The remote's extension handshake named this extension. */
  onPeer?(peer: ExtensionPeer): void;
  onMessage(peer: ExtensionPeer, payload: Buffer): void;
  onPeerClosed?(peer: ExtensionPeer): void;
  /** Torrent stopped: drop timers and state. */
  close?(): void;
}
