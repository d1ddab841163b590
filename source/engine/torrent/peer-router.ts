import type { ExtensionHandshake } from '../wire/extension.js';
import type { Message } from '../wire/messages.js';
import type { Peer } from './peer.js';
import type { TorrentContext } from './torrent-context.js';

/** The collaborators a peer's wire events go to. */
export interface PeerRouterLinks {
  peers: { values(): IterableIterator<Peer>; get(id: string): Peer | undefined; remove(peer: Peer): boolean; connectMore(): void };
  extensions: {
    handshake(peerHost?: string): ExtensionHandshake;
    onHandshake(peer: Peer, remote: ExtensionHandshake): void;
    onMessage(peer: Peer, localId: number, payload: Buffer): void;
    peerClosed(peer: Peer): void;
  };
  download: { onMessage(peer: Peer, m: Message): void; fillRequests(peer: Peer): void };
  uploader: {
    onRequest(peer: Peer, r: { index: number; begin: number; length: number }): void;
    onCancel(peer: Peer, r: { index: number; begin: number }): void;
    pump(peer: Peer): void;
  };
  choking: { rechokeSoon(): void; peerGone(id: string): void };
  /** The torrent's 'peer' and 'peer-closed' events. */
  joined(id: string): void;
  left(id: string): void;
}

/** Wires a peer that joined the set to the torrent's collaborators, and takes it out when it closes. */
export class PeerRouter {
  constructor(
    private readonly ctx: Pick<TorrentContext, 'picker' | 'state' | 'running'>,
    private readonly links: PeerRouterLinks,
  ) {}

  attached(peer: Peer): void {
    const { wire } = peer;
    const { extensions } = this.links;
    const said = peer.handedOver;
    peer.handedOver = undefined;
    this.ctx.picker.addPeer(peer.id, peer.bitfield);
    wire.on('message', (m) => this.onMessage(peer, m));
    wire.on('extended-handshake', (h) => extensions.onHandshake(peer, h));
    if (wire.remoteExtensions) extensions.onHandshake(peer, wire.remoteExtensions);
    // Incoming ones, and handed-over ones (their extension handshake named ut_metadata alone).
    if ((peer.incoming || said) && wire.extendedEnabled) wire.sendExtendedHandshake(extensions.handshake(peer.host));
    wire.on('drain', () => this.links.uploader.pump(peer));
    wire.once('close', () => this.onClose(peer));
    if (said) this.sendHavesLate(peer);
    else this.sendHaves(peer);
    this.links.joined(peer.id);
    if (this.ctx.state === 'seeding' || this.ctx.picker.have.count() > 0) this.links.choking.rechokeSoon();
    for (const m of said ?? []) {
      if (wire.destroyed) break;
      this.onMessage(peer, m);
    }
  }

  /** Past the point where a bitfield may go (the fetcher said have-none, or other messages went first): a have per piece. */
  private sendHavesLate(peer: Peer): void {
    const have = this.ctx.picker.have;
    if (have.count() === 0) return;
    for (let index = 0; index < this.ctx.picker.pieceCount; index++) if (have.get(index)) peer.wire.send({ type: 'have', index });
  }

  private sendHaves(peer: Peer): void {
    const have = this.ctx.picker.have;
    const fast = peer.wire.remoteHandshake?.fast ?? false;
    if (fast && have.isComplete()) peer.wire.send({ type: 'have-all' });
    else if (fast && have.count() === 0) peer.wire.send({ type: 'have-none' });
    else if (have.count() > 0) peer.wire.send({ type: 'bitfield', bitfield: have.buffer });
  }

  private onMessage(peer: Peer, m: Message): void {
    switch (m.type) {
      case 'interested':
        peer.peerInterested = true;
        this.links.choking.rechokeSoon();
        break;
      case 'not-interested':
        peer.peerInterested = false;
        break;
      case 'request':
        this.links.uploader.onRequest(peer, m);
        break;
      case 'cancel':
        this.links.uploader.onCancel(peer, m);
        break;
      case 'extended':
        this.links.extensions.onMessage(peer, m.id, m.payload);
        break;
      default:
        this.links.download.onMessage(peer, m);
    }
  }

  private onClose(peer: Peer): void {
    const { peers } = this.links;
    if (peers.get(peer.id) !== peer) return;
    this.links.extensions.peerClosed(peer);
    peers.remove(peer);
    this.ctx.picker.removePeer(peer.id);
    peer.requests.clear();
    peer.uploadQueue.length = 0;
    this.links.choking.peerGone(peer.id);
    this.links.left(peer.id);
    if (this.ctx.running) {
      for (const other of peers.values()) this.links.download.fillRequests(other);
      peers.connectMore();
    }
  }
}
