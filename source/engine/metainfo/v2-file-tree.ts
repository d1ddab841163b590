/** The v2 file tree and piece layers (BEP 52), and a hybrid torrent's v1/v2 consistency. */
import { isBytes, isDict, latin1, type BDict, type BValue } from '../codec/bencode.js';
import { checkLength, FileProblem, latin1ToUtf8, toBuffer } from './fields.js';
import { FileTable } from './file-table.js';
import { checkPath } from './path-checks.js';
import { MetainfoError, type Layout, type ParseOptions, type TorrentFileEntry, type V2Layout } from './types.js';

export function v2Files(info: BDict, name: string, pieceLength: number, options: ParseOptions): V2Layout {
  const tree = info.get('file tree');
  if (tree === undefined) throw new MetainfoError("missing 'file tree' in a v2 info dictionary");
  if (!isDict(tree)) throw new MetainfoError("'file tree' is not a dictionary");
  if (tree.size === 0) throw new MetainfoError("'file tree' is empty");

  const found: { path: string[]; length: number; piecesRoot?: Buffer }[] = [];
  const walk = (node: BDict, prefix: string[]): void => {
    for (const [key, child] of node) {
      const where = [...prefix, latin1ToUtf8(key)];
      if (key === '') throw new MetainfoError(`file tree: empty name under ${JSON.stringify(prefix.join('/'))}`);
      if (!isDict(child)) throw new MetainfoError(`file tree: ${JSON.stringify(where.join('/'))} is not a dictionary`);
      const leaf = child.get('');
      if (leaf !== undefined) {
        if (child.size !== 1) throw new MetainfoError(`file tree: ${JSON.stringify(where.join('/'))} is both a file and a directory`);
        if (!isDict(leaf)) throw new MetainfoError(`file tree: ${JSON.stringify(where.join('/'))} file entry is not a dictionary`);
        const file: (typeof found)[number] = { path: where, length: 0 };
        try {
          file.length = checkLength(leaf.get('length'), 'length');
          if (file.length > 0) {
            const root = leaf.get('pieces root');
            if (!isBytes(root)) throw new FileProblem("has no 'pieces root'");
            if (root.length !== 32) throw new FileProblem(`'pieces root' is ${root.length} bytes, not 32`);
            file.piecesRoot = toBuffer(root);
          }
        } catch (error) {
          if (error instanceof FileProblem) throw new MetainfoError(`file ${JSON.stringify(where.join('/'))} ${error.message}`);
          throw error;
        }
        found.push(file);
      } else {
        if (child.size === 0) throw new MetainfoError(`file tree: directory ${JSON.stringify(where.join('/'))} is empty`);
        walk(child, where);
      }
    }
  };
  walk(tree, []);

  const single = found.length === 1 && found[0]!.path.length === 1;
  const files: TorrentFileEntry[] = [];
  // Only for its collision check, the one v1's files have: duplicates, a file in a directory's place.
  const paths = new FileTable();
  let offset = 0;
  let contentLength = 0;
  let pieceCount = 0;
  for (let i = 0; i < found.length; i++) {
    const f = found[i]!;
    checkPath(f.path, 'file tree', options, paths);
    const entry: TorrentFileEntry = { path: single ? f.path : [name, ...f.path], length: f.length, offset, padding: false };
    if (f.piecesRoot) entry.piecesRoot = f.piecesRoot;
    files.push(entry);
    offset += f.length;
    contentLength += f.length;
    pieceCount += Math.ceil(f.length / pieceLength);
    if (offset > Number.MAX_SAFE_INTEGER) throw new MetainfoError('total length overflows');
    // Each v2 file starts on a piece boundary; pad like a hybrid torrent's v1 side does.
    const tail = offset % pieceLength;
    if (tail !== 0 && i < found.length - 1) {
      const size = pieceLength - tail;
      files.push({ path: [name, '.pad', String(size)], length: size, offset, padding: true });
      offset += size;
    }
  }
  if (contentLength === 0) throw new MetainfoError('torrent holds no data (all files are empty)');
  const layout: V2Layout = { files, length: offset, contentLength, pieceCount };
  if (single) layout.singleFileName = found[0]!.path[0]!;
  return layout;
}

export function v1Content(layout: Layout): TorrentFileEntry[] {
  return layout.files.filter((f) => !f.padding);
}

export function checkHybridConsistency(v1: Layout, v2: V2Layout, pieceLength: number): void {
  const a = v1Content(v1);
  const b = v2.files.filter((f) => !f.padding);
  if (a.length !== b.length) throw new MetainfoError(`hybrid torrent: v1 lists ${a.length} files, v2 ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    const p1 = a[i]!.path.join('/');
    const p2 = b[i]!.path.join('/');
    if (p1 !== p2 || a[i]!.length !== b[i]!.length) {
      throw new MetainfoError(
        `hybrid torrent: v1 file ${JSON.stringify(p1)} (${a[i]!.length} bytes) does not match v2 ${JSON.stringify(p2)} (${b[i]!.length} bytes)`,
      );
    }
    if (a[i]!.length > 0 && a[i]!.offset % pieceLength !== 0) {
      throw new MetainfoError(`hybrid torrent: file ${JSON.stringify(p1)} does not start on a piece boundary`);
    }
  }
}

export function pieceLayers(value: BValue | undefined, files: TorrentFileEntry[], pieceLength: number): Map<string, Buffer> {
  const layers = new Map<string, Buffer>();
  if (value === undefined) return layers;
  if (!isDict(value)) throw new MetainfoError("'piece layers' is not a dictionary");
  for (const file of files) {
    if (!file.piecesRoot || file.length <= pieceLength) continue;
    const layer = value.get(latin1(file.piecesRoot));
    if (layer === undefined) continue; // peers can supply it (BEP 52 hash requests)
    const expected = Math.ceil(file.length / pieceLength) * 32;
    if (!isBytes(layer) || layer.length !== expected) {
      throw new MetainfoError(
        `piece layer for ${JSON.stringify(file.path.join('/'))} is ${isBytes(layer) ? `${layer.length} bytes` : 'not a byte string'}, expected ${expected}`,
      );
    }
    layers.set(file.piecesRoot.toString('hex'), toBuffer(layer));
  }
  return layers;
}
