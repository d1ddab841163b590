import type { SavedSession, SavedTorrent } from './session-file.js';

const BLOCK = 64;

/**
 * session.json's bytes, one torrent a line. The service hands over the same SavedTorrent object
 * while nothing in a torrent changed, so lines are kept by object, and so are blocks of 64 lines:
 * a write during a burst of adds to a session of 10,000 serialises and copies the few blocks that
 * changed (an add is acknowledged only once a write holding it has landed).
 */
export class SessionText {
  private readonly lines = new WeakMap<SavedTorrent, string>();
  private blocks: { items: SavedTorrent[]; bytes: Buffer }[] = [];
  /** The size of the last text encoded. */
  bytes = 0;

  /** The file's bytes in pieces, to be written in order (writev: no 3 MB copy per write). */
  encode(session: SavedSession): Buffer[] {
    const { torrents } = session;
    const generation = session.generation === undefined ? '' : `"generation":${JSON.stringify(session.generation)},`;
    const parts: Buffer[] = [Buffer.from(`{"version":${session.version},${generation}"torrents":[\n`)];
    const blocks: { items: SavedTorrent[]; bytes: Buffer }[] = [];
    for (let start = 0, b = 0; start < torrents.length; start += BLOCK, b++) {
      const items = torrents.slice(start, start + BLOCK);
      let block = this.blocks[b];
      if (!block || !sameItems(block.items, items)) {
        const text = items.map((saved) => this.line(saved)).join(',\n');
        block = { items, bytes: Buffer.from(start > 0 ? `,\n${text}` : text) };
      }
      blocks.push(block);
      parts.push(block.bytes);
    }
    this.blocks = blocks;
    parts.push(Buffer.from('\n]}\n'));
    this.bytes = parts.reduce((sum, part) => sum + part.length, 0);
    return parts;
  }

  private line(saved: SavedTorrent): string {
    let line = this.lines.get(saved);
    if (line === undefined) {
      line = JSON.stringify(saved);
      this.lines.set(saved, line);
    }
    return line;
  }
}

function sameItems(a: readonly SavedTorrent[], b: readonly SavedTorrent[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
