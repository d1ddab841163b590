/**
 * Every peer connection, outgoing or incoming, becomes a handshaken PeerWire here: a
 * Transport opens the stream (TCP), MSE/PE encrypts it when the encryption mode says so
 * (transport/mse/), and the connector runs the BitTorrent handshake over the result.
 *
 * Callbacks, not promises: the remote's first messages (bitfield, extension handshake) often
 * share a read with its handshake, and PeerWire parses them straight after the 'handshake'
 * event. A promise would resolve a microtask later, after those messages had gone unheard.
 */
import type { NetworkBinding } from './binding.js';
import type { Duplex } from 'node:stream';
import type { ExtensionHandshake } from '../wire/extension.js';
import { encodeHandshake, PROTOCOL, type Handshake } from '../wire/handshake.js';
import { PeerWire } from '../wire/peer-wire.js';
import { heldUntilDelivered, switchableSource } from './mse/byte-source.js';
import { CRYPTO_RC4, cryptoProvide, cryptoSelect, type EncryptionMode } from './mse/policy.js';
import { initiateMse, respondMse, type MseOutcome } from './mse/run-handshake.js';
import { makeTcpTransport } from './tcp-transport.js';
import type { Dialing, OpenedStream, Transport } from './transport.js';

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

export interface IncomingCallbacks {
  /** The torrent an encrypted connection names by HASH('req2', info-hash), if we have it running. */
  infoHashFor(req2: Buffer): Buffer | undefined;
  /** The remote's handshake names the torrent: answer it (sendHandshake) or destroy the wire. */
  handshake(wire: PeerWire, h: Handshake): void;
  /** A wire exists (the stream was plaintext, or its encryption handshake is done). */
  opened?(wire: PeerWire): void;
  /** The connection is over, whenever that was (before or after a wire existed). */
  closed?(): void;
}

export interface ConnectorOptions {
  peerId: Buffer;
  /** Default: plain TCP, leaving from `localAddress` when given. */
  transport?: Transport;
  /** The address outgoing TCP connections leave from (the session's listen host). */
  localAddress?: string;
  /** MSE/PE: default `prefer`. */
  encryption?: EncryptionMode;
  /** A bound session's address: every dial leaves from it, none while it is down (overrides localAddress). */
  binding?: NetworkBinding;
}

/** An MSE/PE handshake that does not finish in this long (or the handshake timeout, if shorter) fails. */
const MSE_TIMEOUT_MS = 10_000;
/** Addresses remembered as plaintext-only (MSE/PE refused, plaintext worked); the oldest go first. */
const MAX_PLAINTEXT_ONLY = 10_000;

export class Connector {
  readonly peerId: Buffer;
  private readonly transport: Transport;
  encryption: EncryptionMode;
  /** In `prefer` mode these are dialled in plaintext at once, as libtorrent does once a peer refused MSE/PE. */
  private readonly plaintextOnly = new Set<string>();

  constructor(options: ConnectorOptions) {
    this.peerId = options.peerId;
    this.transport = options.transport ?? makeTcpTransport({ localAddress: options.localAddress, binding: options.binding });
    this.encryption = options.encryption ?? 'prefer';
  }

  /**
   * In `prefer` mode an outgoing connection tries MSE/PE first; if the remote closes it (a
   * plaintext-only client) or the handshake fails, it is dialled again in plaintext.
   */
  connect(host: string, port: number, timeoutMs: number, outer: OutgoingCallbacks): Dialing {
    let current: Dialing | undefined;
    let cancelled = false;
    const mode = this.encryption;
    const key = `${host}:${port}`;
    let openedOverTcp = false;
    let retried = false;
    const noteOpened = (stream: Duplex) => (openedOverTcp ||= (stream as { transport?: string }).transport !== 'utp');
    const callbacks: OutgoingCallbacks = {
      ...outer,
      failed: () => {
        // A peer that takes TCP connections only to close them (libtorrent, btui with TCP off
        // and uTP on) is dialled again at once, uTP first, if whether it speaks uTP is not known.
        if (!cancelled && !retried && openedOverTcp && this.transport.speaksUtp?.(host, port) === undefined) {
          retried = true;
          openedOverTcp = false;
          this.transport.learn?.(host, port, true);
          start();
          return;
        }
        outer.failed();
      },
    };
    const plaintext = (remember: boolean) => {
      if (cancelled) return;
      const learn: OutgoingCallbacks = {
        ...callbacks,
        handshake: (wire, h, stream) => {
          this.rememberPlaintextOnly(key);
          callbacks.handshake(wire, h, stream);
        },
      };
      current = this.connectPlain(host, port, timeoutMs, remember ? learn : callbacks, noteOpened);
    };
    const start = () => {
      if (mode === 'plaintext' || (mode === 'prefer' && this.plaintextOnly.has(key))) plaintext(false);
      else
        current = this.connectEncrypted(
          host,
          port,
          timeoutMs,
          callbacks,
          mode === 'prefer' ? () => plaintext(true) : () => callbacks.failed(),
          noteOpened,
        );
    };
    start();
    return {
      cancel() {
        cancelled = true;
        current?.cancel();
      },
    };
  }

  /** An address speaks uTP (peer exchange's flag 0x04, a connection it made to us over uTP): dial it over uTP first. */
  learnSpeaksUtp(host: string, port: number): void {
    this.transport.learn?.(host, port, true);
  }

  private rememberPlaintextOnly(key: string): void {
    this.plaintextOnly.add(key);
    if (this.plaintextOnly.size > MAX_PLAINTEXT_ONLY) this.plaintextOnly.delete(this.plaintextOnly.values().next().value!);
  }

  private connectPlain(
    host: string,
    port: number,
    timeoutMs: number,
    callbacks: OutgoingCallbacks,
    noteOpened: (stream: Duplex) => void,
  ): Dialing {
    let wire: PeerWire | undefined;
    let cancelled = false;
    const dialing = this.transport.dial(host, port, timeoutMs, {
      failed: () => callbacks.failed(),
      opened: (opened) => {
        noteOpened(opened.stream);
        wire = this.outgoingWire(opened, callbacks.settings(), callbacks, () => cancelled);
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

  /** `fallback` runs when the TCP connection opened but the encryption handshake failed. */
  private connectEncrypted(
    host: string,
    port: number,
    timeoutMs: number,
    callbacks: OutgoingCallbacks,
    fallback: () => void,
    noteOpened: (stream: Duplex) => void,
  ): Dialing {
    let wire: PeerWire | undefined;
    let cancelled = false;
    let mse: { cancel(): void } | undefined;
    const dialing = this.transport.dial(host, port, timeoutMs, {
      failed: () => callbacks.failed(),
      opened: (opened) => {
        noteOpened(opened.stream);
        const settings = callbacks.settings();
        if (!settings.infoHash) {
          wire = this.outgoingWire(opened, settings, callbacks, () => cancelled);
          return;
        }
        const ia = encodeHandshake(settings.infoHash, this.peerId, { extended: true, fast: true, dht: false });
        const mseTimeout = Math.min(MSE_TIMEOUT_MS, settings.handshakeTimeoutMs ?? MSE_TIMEOUT_MS);
        const source = switchableSource(opened);
        mse = initiateMse(
          opened.stream,
          source,
          { skey: settings.infoHash, provide: cryptoProvide(this.encryption === 'require' ? 'require' : 'prefer'), initialPayload: ia },
          mseTimeout,
          (error, outcome) => {
            if (cancelled) return;
            if (error || !outcome) return fallback();
            wire = this.outgoingWire(
              { stream: outcome.stream, deliverTo: outcome.deliverTo },
              { ...settings, handshakeAlreadySent: true, encrypted: outcome.result.method === CRYPTO_RC4, readsDelivered: true },
              callbacks,
              () => cancelled,
            );
          },
        );
      },
    });
    return {
      cancel() {
        cancelled = true;
        dialing.cancel();
        mse?.cancel();
        wire?.destroy();
      },
    };
  }

  private outgoingWire(
    opened: OpenedStream,
    settings: WireSettings & { handshakeAlreadySent?: boolean; encrypted?: boolean; readsDelivered?: boolean },
    callbacks: OutgoingCallbacks,
    cancelled: () => boolean,
  ): PeerWire {
    let handshaken = false;
    const { stream, deliverTo } = opened;
    const wire = new PeerWire(stream, { peerId: this.peerId, ...settings });
    wire.once('handshake', (h) => {
      handshaken = true;
      callbacks.handshake(wire, h, stream);
    });
    wire.once('close', () => {
      if (!handshaken && !cancelled()) callbacks.failed();
    });
    callbacks.opened?.(wire);
    // Last: after an encryption handshake, the remote's handshake may be here already.
    deliverTo?.((chunk) => wire.receive(chunk));
    return wire;
  }

  /**
   * An accepted stream. Its first bytes tell plaintext (the BitTorrent handshake's
   * "\x13BitTorrent protocol") from MSE/PE; the mode says which of the two are welcome.
   * Returns a handle that closes the connection whatever stage it is at.
   */
  accept(opened: OpenedStream, settings: WireSettings, callbacks: IncomingCallbacks): { destroy(): void } {
    const { stream } = opened;
    const mode = this.encryption;
    let wire: PeerWire | undefined;
    let mse: { cancel(): void } | undefined;
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      callbacks.closed?.();
    };
    stream.once('close', close);
    const open = (s: Duplex, extra: { encrypted?: boolean }, initial: Buffer[], deliverTo: OpenedStream['deliverTo']) => {
      const w = new PeerWire(s, { peerId: this.peerId, ...settings, ...extra, readsDelivered: true });
      wire = w;
      w.once('handshake', (h) => callbacks.handshake(w, h));
      w.once('close', close);
      callbacks.opened?.(w);
      for (const chunk of initial) w.receive(chunk);
      deliverTo?.((chunk) => w.receive(chunk));
    };
    // Every read goes through this one source: first to the sniffer, then to the wire or the MSE/PE handshake.
    const source = switchableSource(opened);
    const held: Buffer[] = [];
    let length = 0;
    let decided = false;
    const sniff = (chunk: Buffer) => {
      if (decided) return;
      // A copy: a shared read buffer's bytes are overwritten by the next read.
      held.push(Buffer.from(chunk));
      length += chunk.length;
      const first = held.length === 1 ? held[0]! : Buffer.concat(held);
      const n = Math.min(first.length, PROTOCOL.length);
      const plaintext = first.subarray(0, n).equals(PROTOCOL.subarray(0, n));
      if (plaintext && length < PROTOCOL.length) return;
      decided = true;
      if (plaintext) {
        if (mode === 'require') return stream.destroy();
        return open(stream, {}, [first], source);
      }
      if (mode === 'plaintext') return stream.destroy();
      const timeout = Math.min(MSE_TIMEOUT_MS, settings.handshakeTimeoutMs ?? MSE_TIMEOUT_MS);
      mse = respondMse(
        stream,
        heldUntilDelivered(source, first),
        { infoHashFor: callbacks.infoHashFor, select: (provided) => cryptoSelect(mode, provided) },
        timeout,
        (error, outcome?: MseOutcome) => {
          if (error || !outcome) return;
          open(outcome.stream, { encrypted: outcome.result.method === CRYPTO_RC4 }, [], outcome.deliverTo);
        },
      );
    };
    source(sniff);
    // Nothing at all said: the handshake timeout applies before the first byte too.
    const silence = setTimeout(() => {
      if (!wire && !mse) stream.destroy();
    }, settings.handshakeTimeoutMs ?? 20_000);
    silence.unref();
    stream.once('close', () => clearTimeout(silence));
    return {
      destroy() {
        decided = true;
        mse?.cancel();
        if (wire) wire.destroy();
        else stream.destroy();
      },
    };
  }
}
