/**
 * A .torrent file for a Metainfo. The info dictionary's exact bytes go in verbatim, so the file
 * has the same info-hash however they were encoded (not canonically by some tool, or fetched
 * with ut_metadata for a magnet).
 */
import { encode, type BValue } from '../codec/bencode.js';
import type { Metainfo } from './metainfo.js';

export function encodeTorrentFile(
  meta: Pick<Metainfo, 'infoBytes' | 'announce' | 'urlList' | 'comment' | 'createdBy' | 'creationDate'>,
): Buffer {
  const text = (s: string) => Buffer.from(s, 'utf8');
  // Keys in bencode's byte order; `info` is spliced in as raw bytes.
  const entries: [string, BValue | Buffer][] = [];
  const tiers = meta.announce.filter((tier) => tier.length > 0);
  if (tiers.length > 0) entries.push(['announce', text(tiers[0]![0]!)]);
  if (tiers.length > 1 || (tiers[0]?.length ?? 0) > 1) entries.push(['announce-list', tiers.map((tier) => tier.map(text))]);
  if (meta.comment !== undefined) entries.push(['comment', text(meta.comment)]);
  if (meta.createdBy !== undefined) entries.push(['created by', text(meta.createdBy)]);
  if (meta.creationDate !== undefined) entries.push(['creation date', meta.creationDate]);
  entries.push(['info', meta.infoBytes]);
  if (meta.urlList.length > 0) entries.push(['url-list', meta.urlList.map(text)]);
  const parts: Buffer[] = [Buffer.from('d')];
  for (const [key, value] of entries) {
    parts.push(encode(Buffer.from(key, 'latin1')));
    parts.push(key === 'info' ? (value as Buffer) : encode(value as BValue));
  }
  parts.push(Buffer.from('e'));
  return Buffer.concat(parts);
}
