/** A torrent's metainfo as `btui metainfo --json` prints it. */
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
    files: m.files.map((f) => ({ path: f.path.join('/'), length: f.length, ...(f.padding ? { padding: true } : {}) })),
    creationDate: m.creationDate ?? null,
    createdBy: m.createdBy ?? null,
    comment: m.comment ?? null,
    source: m.source ?? null,
    version: m.version,
  };
}
