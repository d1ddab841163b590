import { encode, type BValue } from '../engine/codec/bencode.js';
import type { Metainfo } from '../engine/metainfo/metainfo.js';

/**
 * A .torrent file for a parsed Metainfo that keeps the info dictionary's exact bytes (so
 * the info-hash survives even when the original was not canonically encoded). Keys are
 * written in sorted order, as bencode requires.
 */
export function torrentBytes(meta: Metainfo): Buffer {
  const before: [string, BValue][] = [];
  const first = meta.announce[0]?.[0];
  if (first) before.push(['announce', Buffer.from(first)]);
  if (meta.announce.length > 1 || (meta.announce[0]?.length ?? 0) > 1) {
    before.push(['announce-list', meta.announce.map((tier) => tier.map((url) => Buffer.from(url)))]);
  }
  if (meta.comment !== undefined) before.push(['comment', Buffer.from(meta.comment)]);
  if (meta.createdBy !== undefined) before.push(['created by', Buffer.from(meta.createdBy)]);
  if (meta.creationDate !== undefined) before.push(['creation date', meta.creationDate]);
  const after: [string, BValue][] = [];
  if (meta.urlList.length > 0) after.push(['url-list', meta.urlList.map((u) => Buffer.from(u))]);
  const pairs = (list: [string, BValue][]) => list.map(([k, v]) => encode(new Map([[k, v]])).subarray(1, -1));
  return Buffer.concat([Buffer.from('d'), ...pairs(before), Buffer.from('4:info'), meta.infoBytes, ...pairs(after), Buffer.from('e')]);
}
