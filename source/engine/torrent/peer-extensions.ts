import type { ExtensionPeer, WireExtension } from '../extensions/extension-api.js';
import type { ExtensionHandshake } from '../wire/extension.js';
import type { Peer } from './peer.js';

/** BEP 10 for one torrent: our extension handshake, and each extension's view of each peer. */
export class PeerExtensions {
  /** Local message ids follow this order from 1. */
  constructor(
    private readonly extensions: readonly WireExtension[],
    private readonly listenPort: () => number,
    private readonly maxRequests: number,
  ) {}

  handshake(): ExtensionHandshake {
    const handshake: ExtensionHandshake = { m: {}, v: 'btui 0.1.0', reqq: this.maxRequests, p: this.listenPort() || undefined };
    this.extensions.forEach((extension, i) => {
      handshake.m[extension.name] = i + 1;
      Object.assign(handshake, extension.handshakeFields?.());
    });
    return handshake;
  }

  onHandshake(peer: Peer, remote: ExtensionHandshake): void {
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
