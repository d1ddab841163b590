/** A torrent's metainfo as `btui metainfo --json` prints it. */
import type { FileTable } from '../engine/metainfo/file-table.js';
import type { Metainfo } from '../engine/metainfo/metainfo.js';

export function metainfoJson(m: Metainfo) {
  return {
    infoHash: m.infoHash,
    ...(m.infoHashV2 ? { infoHashV2: m.infoHashV2 } : {}),
    name: m.name,
    length: m.length,
    contentLength: m.contentLength ?? m.length,
    pieceLength: m.pieceLength,
    pieceCount: m.pieceCount,
    private: m.private,
    announce: m.announce,
    urlList: m.urlList,
    files: m.fileTable ? tableFiles(m.fileTable) : m.files.map((f) => jsonFile(f.path.join('/'), f.length, f.padding)),
    creationDate: m.creationDate ?? null,
    createdBy: m.createdBy ?? null,
    comment: m.comment ?? null,
    source: m.source ?? null,
    version: m.version,
  };
}

function jsonFile(path: string, length: number, padding: boolean) {
  return { path, length, ...(padding ? { padding: true } : {}) };
}

/** The files straight from the table: no entry and path list made per file first. */
function tableFiles(t: FileTable) {
  const { dirNames, dirParents, names, dirs, lengths, padding } = t;
  // Each directory's path, joined, with its parent's made first (parents come first).
  const dirPaths: string[] = new Array(dirNames.length);
  for (let d = 0; d < dirNames.length; d++)
    dirPaths[d] = dirParents[d]! < 0 ? dirNames[d]! : `${dirPaths[dirParents[d]!]!}/${dirNames[d]!}`;
  const files = new Array<ReturnType<typeof jsonFile>>(t.count);
  for (let i = 0; i < t.count; i++) files[i] = jsonFile(`${dirPaths[dirs[i]!]!}/${names[i]!}`, lengths[i]!, padding[i] === 1);
  return files;
}
