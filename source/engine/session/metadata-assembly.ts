import { metadataPieceCount } from '../extensions/ut-metadata-messages.js';

/**
 * One attempt at a torrent's info dictionary: its 16 KiB pieces as they arrive, and which peer
 * sent each, so that a hash failure can be laid at someone's door.
 */
export class MetadataAssembly {
  readonly pieces: (Buffer | undefined)[];
  private readonly from: string[];
  have = 0;
  /** After a hash failure with several contributors: one peer fills the whole attempt. */
  owner?: string;

  constructor(readonly size: number) {
    const count = metadataPieceCount(size);
    this.pieces = new Array(count);
    this.from = new Array(count);
  }

  get complete(): boolean {
    return this.have === this.pieces.length;
  }

  /** A piece from a peer (copied: it may sit in a larger buffer); one already had is ignored. Says whether it was new. */
  add(piece: number, data: Buffer, peer: string): boolean {
    if (this.pieces[piece]) return false;
    this.pieces[piece] = Buffer.from(data);
    this.from[piece] = peer;
    this.have++;
    return true;
  }

  /** The pieces still wanted from a peer: not had, not asked of it or refused by it (`skip`). */
  wanted(skip: (piece: number) => boolean): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.pieces.length; i++) if (!this.pieces[i] && !skip(i)) out.push(i);
    return out;
  }

  bytes(): Buffer {
    return Buffer.concat(this.pieces as Buffer[]);
  }

  contributors(): Set<string> {
    return new Set(this.from);
  }
}
