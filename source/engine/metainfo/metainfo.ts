/**
 * Metainfo (.torrent) parsing: BEP 3 (v1), BEP 52 (v2 and hybrid), BEP 12 tracker
 * tiers, BEP 19 web seeds, BEP 27 private flag, BEP 47 padding files.
 *
 * Validation is at least as strict as libtorrent 2.0 on what it rejects (piece length,
 * piece hash count, lengths, meta version, v1/v2 consistency) and stricter on paths:
 * where libtorrent rewrites a hostile or colliding path, this parser refuses the torrent.
 */
export {
  MAX_DECODE_TOKENS,
  MAX_PIECE_LENGTH,
  MAX_TORRENT_FILE_SIZE,
  MetainfoError,
  MIN_V2_PIECE_LENGTH,
  type Metainfo,
  type ParseOptions,
  type TorrentFileEntry,
} from './types.js';
export {
  infoHashFromInfoBytes,
  infoHashV2FromInfoBytes,
  metainfoFromInfoBytes,
  parseMetainfo,
  parseMetainfoWhole,
  readMetainfoFile,
  readMetainfoFileSync,
} from './parse.js';
