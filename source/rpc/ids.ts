// Transmission's `ids` argument: absent (every torrent), an integer id, a hash string, the word
// "recently-active", or an array of integer ids and hash strings. Unknown ids select nothing,
// as in Transmission; ids of a wrong type are an error.
import type { RpcTorrent } from './backend.js';
import { RpcArgumentError } from './args.js';

/** Torrents touched this recently count as recently active (Transmission: 60 seconds). */
export const RECENTLY_ACTIVE_MS = 60_000;

export type IdSelector =
  | { readonly kind: 'all' }
  | { readonly kind: 'recently-active' }
  | { readonly kind: 'list'; readonly ids: readonly number[]; readonly hashes: readonly string[] };

const HASH = /^[0-9a-fA-F]{40}$/;

export function parseIds(value: unknown): IdSelector {
  if (value === undefined) return { kind: 'all' };
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RpcArgumentError('argument "ids" must hold integers or hash strings');
    return { kind: 'list', ids: [value], hashes: [] };
  }
  if (typeof value === 'string') {
    if (value === 'recently-active' || value === 'recently_active') return { kind: 'recently-active' };
    return { kind: 'list', ids: [], hashes: [value.toLowerCase()] };
  }
  if (!Array.isArray(value))
    throw new RpcArgumentError('argument "ids" must be an integer, a hash string, an array of them, or "recently-active"');
  // Transmission treats an empty array like an absent `ids`: every torrent.
  if (value.length === 0) return { kind: 'all' };
  const ids: number[] = [];
  const hashes: string[] = [];
  for (const item of value) {
    if (typeof item === 'number' && Number.isSafeInteger(item)) ids.push(item);
    else if (typeof item === 'string') {
      // transmission-remote sends "-t 3" from some shells as a string; accept decimal strings as ids.
      if (/^\d{1,15}$/.test(item)) ids.push(Number(item));
      else hashes.push(item.toLowerCase());
    } else throw new RpcArgumentError('argument "ids" must hold integers or hash strings');
  }
  return { kind: 'list', ids, hashes };
}

/** The latest of a torrent's dates: what "recently active" looks at. */
function lastTouched(t: RpcTorrent): number {
  let d = t.activityDate;
  if (t.addedDate > d) d = t.addedDate;
  if (t.doneDate > d) d = t.doneDate;
  if (t.editDate > d) d = t.editDate;
  if (t.startDate > d) d = t.startDate;
  return d;
}

/** The torrents an IdSelector names, in the backend's order. */
export function selectTorrents(all: readonly RpcTorrent[], selector: IdSelector, nowMs: number = Date.now()): RpcTorrent[] {
  if (selector.kind === 'all') return all.slice();
  const out: RpcTorrent[] = [];
  if (selector.kind === 'recently-active') {
    const since = nowMs - RECENTLY_ACTIVE_MS;
    // Torrents moving data are active by definition, even if their dates lag.
    for (const t of all) if (t.rateDownload > 0 || t.rateUpload > 0 || lastTouched(t) >= since) out.push(t);
    return out;
  }
  const { ids, hashes } = selector;
  if (ids.length + hashes.length <= 4) {
    for (const t of all) if (ids.includes(t.id) || hashes.includes(t.hashString)) out.push(t);
    return out;
  }
  const idSet = new Set(ids);
  const hashSet = new Set(hashes);
  for (const t of all) if (idSet.has(t.id) || hashSet.has(t.hashString)) out.push(t);
  return out;
}

export function isHashString(s: string): boolean {
  return HASH.test(s);
}
