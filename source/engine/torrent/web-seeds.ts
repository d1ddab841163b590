import { Bitfield } from '../codec/bitfield.js';
import { WebSeed, type WebSeedOptions } from '../discovery/webseed/web-seed.js';
import type { PiecePicker } from './picker.js';
import type { PeerStats } from './torrent-stats.js';
import type { TorrentContext } from './torrent-context.js';

export interface WebSeedLinks {
  /** Whether requests may go out now (pending writes within bounds). */
  hasWriteRoom(): boolean;
  /** A block arrived; returns how long the web seed should pause (rate limits). */
  deliver(id: string, index: number, begin: number, data: Buffer): number;
  /** A web seed turned itself off: its blocks are free for the peers. */
  fillOthers(): void;
}

/** BEP 19 web seeds from the metainfo's url-list: sources that have every piece. */
export class WebSeeds {
  private readonly seeds: WebSeed[] = [];
  /** What a web seed has: everything. */
  private readonly allPieces: Bitfield;

  constructor(
    private readonly ctx: Pick<TorrentContext, 'meta' | 'picker' | 'state' | 'running' | 'warn'>,
    setting: boolean | WebSeedOptions | undefined,
    links: WebSeedLinks,
  ) {
    const meta = ctx.meta;
    this.allPieces = new Bitfield(meta.pieceCount);
    this.allPieces.setAll();
    if (setting === false) return;
    const options = typeof setting === 'object' ? setting : {};
    const urls = [...new Set(meta.urlList)].filter((u) => /^https?:\/\/[^/]/i.test(u));
    const host = {
      pick: (id: string, count: number) => {
        if (!ctx.running || ctx.state !== 'downloading' || !links.hasWriteRoom()) return [];
        return ctx.picker.pick(id, this.allPieces, count);
      },
      deliver: (id: string, b: { index: number; begin: number }, data: Buffer) => links.deliver(id, b.index, b.begin, data),
      release: (id: string, b: { index: number; begin: number }) => {
        if (ctx.running) ctx.picker.releaseBlock(id, b.index, b.begin);
      },
      warn: (message: string) => ctx.warn(message),
      disabled: (id: string) => {
        if (!ctx.running) return;
        ctx.picker.removePeer(id);
        links.fillOthers();
      },
    };
    for (const url of urls) {
      try {
        this.seeds.push(new WebSeed(url, meta, host, options));
      } catch {
        // An unparsable URL is not a source.
      }
    }
  }

  /** Puts the working ones into a new picker as peers that have everything. */
  addTo(picker: PiecePicker): void {
    for (const ws of this.seeds) if (!ws.disabledReason) picker.addPeer(ws.id, this.allPieces);
  }

  /** Whether any could be fetching (while downloading). */
  get anyActive(): boolean {
    return this.seeds.some((ws) => !ws.disabledReason);
  }

  fill(): void {
    if (this.ctx.state === 'downloading') for (const ws of this.seeds) ws.fill();
  }

  hashFailed(id: string, soleSource: boolean): void {
    this.seeds.find((ws) => ws.id === id)?.hashFailed(soleSource);
  }

  abortAll(): void {
    for (const ws of this.seeds) ws.abort();
  }

  closeAll(): void {
    for (const ws of this.seeds) ws.close();
  }

  /** Rows for peerStats(), one per working web seed. */
  stats(): PeerStats[] {
    const list: PeerStats[] = [];
    for (const ws of this.seeds) {
      const s = ws.stats();
      if (s.disabled) continue;
      list.push({
        id: ws.id,
        host: ws.host,
        port: ws.port,
        client: 'web seed',
        incoming: false,
        transport: 'tcp',
        // Over HTTP(S): https is encrypted, but not by MSE/PE, which is what this flag says.
        encrypted: false,
        amChoking: true,
        amInterested: this.ctx.state === 'downloading',
        peerChoking: false,
        peerInterested: false,
        snubbed: false,
        progress: 1,
        downloadRate: s.downloadRate,
        uploadRate: 0,
        downloaded: s.downloaded,
        uploaded: 0,
        requests: s.requests,
        uploadQueue: 0,
      });
    }
    return list;
  }
}
