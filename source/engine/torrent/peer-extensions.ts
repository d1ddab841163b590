import type { PeerAddress } from '../discovery/tracker/types.js';
import { formatIPv6 } from '../discovery/tracker/compact.js';
import type { ExtensionPeer, WireExtension } from '../extensions/extension-api.js';
import { ipBytes } from '../extensions/ip-bytes.js';
import type { ExtensionHandshake } from '../wire/extension.js';
import type { Peer } from './peer.js';

/** BEP 10 for one torrent: our extension handshake, and each extension's view of each peer. */
export class PeerExtensions {
  /** Local message ids follow this order from 1. */
  constructor(
    private readonly extensions: readonly WireExtension[],
    private readonly listenPort: () => number,
    private readonly maxRequests: number,
    private readonly addresses: {
      /** Our IPv6 address to offer (BEP 10 `ipv6`), when we take IPv6 connections. */
      ownIpv6?: () => string | undefined;
      /** A peer's IPv6 address from its handshake: another way to reach it. */
      learnt?: (peer: PeerAddress) => void;
    } = {},
  ) {}

  /** `peerHost`: the address the peer is at, sent back to it as `yourip`. */
  handshake(peerHost?: string): ExtensionHandshake {
    const handshake: ExtensionHandshake = { m: {}, v: 'btui 0.1.0', reqq: this.maxRequests, p: this.listenPort() || undefined };
    const yourip = peerHost === undefined ? undefined : ipBytes(peerHost.replace(/^::ffff:(?=\d+\.)/, ''));
    if (yourip) handshake.yourip = Buffer.from(yourip);
    const own = this.addresses.ownIpv6?.();
    const ipv6 = own === undefined ? undefined : ipBytes(own);
    if (ipv6?.length === 16) handshake.ipv6 = Buffer.from(ipv6);
    this.extensions.forEach((extension, i) => {
      handshake.m[extension.name] = i + 1;
      Object.assign(handshake, extension.handshakeFields?.());
    });
    return handshake;
  }

  onHandshake(peer: Peer, remote: ExtensionHandshake): void {
    if (remote.ipv6 && remote.p && this.addresses.learnt) {
      const host = formatIPv6(remote.ipv6);
      if (host !== peer.host && !/^(::|::1|fe80:.*)$/i.test(host)) this.addresses.learnt({ host, port: remote.p });
    }
    this.extensions.forEach((extension, i) => {
      const remoteId = remote.m[extension.name];
      const localId = i + 1;
      if (!remoteId) {
        peer.extensions.delete(localId);
        return;
      }
      const handle: ExtensionPeer = {
        id: peer.id,
        host: peer.host,
        port: peer.port,
        remote,
        send: (payload) => peer.wire.send({ type: 'extended', id: remoteId, payload }),
        disconnect: (reason) => peer.wire.destroy(new Error(reason)),
      };
      const known = peer.extensions.has(localId);
      peer.extensions.set(localId, handle);
      if (!known) extension.onPeer?.(handle);
    });
  }

  onMessage(peer: Peer, localId: number, payload: Buffer): void {
    const extension = this.extensions[localId - 1];
    const handle = peer.extensions.get(localId);
    if (extension && handle) extension.onMessage(handle, payload);
  }

  peerClosed(peer: Peer): void {
    for (const [localId, handle] of peer.extensions) this.extensions[localId - 1]?.onPeerClosed?.(handle);
  }

  closeAll(): void {
    for (const extension of this.extensions) extension.close?.();
  }
}
