/**
 * Every peer connection, outgoing or incoming, becomes a handshaken PeerWire here: a
 * Transport opens the stream (TCP now; MSE/PE or uTP later plug in as transports or as a
 * step before the handshake) and the connector runs the BitTorrent handshake over it.
 *
 * Callbacks, not promises: the remote's first messages (bitfield, extension handshake) often
 * share a read with its handshake, and PeerWire parses them straight after the 'handshake'
 * event. A promise would resolve a microtask later, after those messages had gone unheard.
 */
import type { NetworkBinding } from './binding.js';
import type { Duplex } from 'node:stream';
import type { ExtensionHandshake } from '../wire/extension.js';
import type { Handshake } from '../wire/handshake.js';
import { PeerWire } from '../wire/peer-wire.js';
import { makeTcpTransport } from './tcp-transport.js';
import type { Dialing, Transport } from './transport.js';

export interface WireSettings {
  /** Ours for outgoing connections; incoming ones learn it from the remote's handshake. */
  infoHash?: Buffer;
  extensions?: ExtensionHandshake;
  handshakeTimeoutMs?: number;
  idleTimeoutMs?: number;
}

export interface OutgoingCallbacks {
  /** Wire settings, asked for once the stream is open (the listen port may have changed meanwhile). */
  settings(): WireSettings;
  /** The stream is open and our handshake sent; the wire is the caller's to watch from here. */
  opened?(wire: PeerWire): void;
  /** The remote's handshake, inside PeerWire's event: attach listeners now, or destroy the wire. */
  handshake(wire: PeerWire, h: Handshake, stream: Duplex): void;
  /** No handshake: the dial failed, or the wire closed before one. Not called after handshake(). */
  failed(): void;
}

export interface ConnectorOptions {
  peerId: Buffer;
  /** Default: plain TCP, leaving from `localAddress` when given. */
  transport?: Transport;
  /** The address outgoing TCP connections leave from (the session's listen host). */
  localAddress?: string;
  /** A bound session's address: every dial leaves from it, none while it is down (overrides localAddress). */
  binding?: NetworkBinding;
}

export class Connector {
  readonly peerId: Buffer;
  private readonly transport: Transport;

  constructor(options: ConnectorOptions) {
    this.peerId = options.peerId;
    this.transport = options.transport ?? makeTcpTransport({ localAddress: options.localAddress, binding: options.binding });
  }

  connect(host: string, port: number, timeoutMs: number, callbacks: OutgoingCallbacks): Dialing {
    let wire: PeerWire | undefined;
    let cancelled = false;
    const dialing = this.transport.dial(host, port, timeoutMs, {
      failed: () => callbacks.failed(),
      opened: ({ stream, deliverTo }) => {
        let handshaken = false;
        wire = new PeerWire(stream, { peerId: this.peerId, ...callbacks.settings() });
        const opened = wire;
        deliverTo?.((chunk) => opened.receive(chunk));
        opened.once('handshake', (h) => {
          handshaken = true;
          callbacks.handshake(opened, h, stream);
        });
        opened.once('close', () => {
          if (!handshaken && !cancelled) callbacks.failed();
        });
        callbacks.opened?.(opened);
      },
    });
    return {
      cancel() {
        cancelled = true;
        dialing.cancel();
        wire?.destroy();
      },
    };
  }

  /** An accepted stream: its handshake names the torrent, so `handshake` answers it (sendHandshake) or destroys the wire. */
  accept(stream: Duplex, settings: WireSettings, handshake: (wire: PeerWire, h: Handshake) => void): PeerWire {
    const wire = new PeerWire(stream, { peerId: this.peerId, ...settings });
    wire.once('handshake', (h) => handshake(wire, h));
    return wire;
  }
}
