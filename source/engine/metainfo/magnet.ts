/**
 * Magnet links (BEP 9, BEP 53 `so`, BEP 52 `urn:btmh:`): parse and build.
 */
import { isIP } from 'node:net';

export interface MagnetPeer {
  host: string;
  port: number;
}

export interface Magnet {
  /** v1 info-hash, 40 lowercase hex chars; for a v2-only magnet, the truncated v2 hash. */
  infoHash: string;
  /** v2 info-hash (SHA-256), 64 lowercase hex chars. */
  infoHashV2?: string;
  name?: string;
  trackers: string[];
  webSeeds: string[];
  peers: MagnetPeer[];
  length?: number;
  /** BEP 53 select-only file indices, ascending, without duplicates. */
  selectOnly?: number[];
}

export class MagnetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MagnetError';
  }
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** Bound on BEP 53 ranges, so `so=0-999999999` cannot allocate a huge list. */
const MAX_SELECTED = 100_000;

/** A v1 info-hash given as 40 hex or 32 base32 characters, as lowercase hex. */
export function parseInfoHash(text: string): string {
  const t = text.trim();
  if (/^[0-9a-fA-F]{40}$/.test(t)) return t.toLowerCase();
  if (/^[A-Za-z2-7]{32}$/.test(t)) return base32ToHex(t);
  throw new MagnetError(`bad info-hash '${t.length > 70 ? `${t.slice(0, 64)}…` : t}': expected 40 hex or 32 base32 characters`);
}

function base32ToHex(text: string): string {
  const out = Buffer.alloc(20);
  let bits = 0;
  let value = 0;
  let index = 0;
  for (const ch of text.toUpperCase()) {
    value = (value << 5) | BASE32.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (value >>> bits) & 0xff;
    }
  }
  return out.toString('hex');
}

export function parseMagnet(uri: string): Magnet {
  const text = uri.trim();
  if (!/^magnet:\?/i.test(text)) throw new MagnetError("not a magnet link (expected 'magnet:?...')");
  let v1: string | undefined;
  let v2: string | undefined;
  const magnet: Magnet = { infoHash: '', trackers: [], webSeeds: [], peers: [] };
  for (const part of text.slice('magnet:?'.length).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    // BEP 9 allows numbered repeats such as xt.1, tr.2.
    const key = decodePart(rawKey, 'parameter name')
      .toLowerCase()
      .replace(/\.\d+$/, '');
    const value = eq < 0 ? '' : decodePart(part.slice(eq + 1), key);
    switch (key) {
      case 'xt': {
        const hash = parseExactTopic(value);
        if (hash.version === 1) {
          if (v1 && v1 !== hash.hex) throw new MagnetError('magnet has two different v1 info-hashes');
          v1 = hash.hex;
        } else if (hash.version === 2) {
          if (v2 && v2 !== hash.hex) throw new MagnetError('magnet has two different v2 info-hashes');
          v2 = hash.hex;
        }
        break;
      }
      case 'dn':
        magnet.name = value;
        break;
      case 'tr':
        if (!value) throw new MagnetError('empty tracker (tr)');
        if (!magnet.trackers.includes(value)) magnet.trackers.push(value);
        break;
      case 'ws':
        if (!value) throw new MagnetError('empty web seed (ws)');
        if (!magnet.webSeeds.includes(value)) magnet.webSeeds.push(value);
        break;
      case 'x.pe':
        magnet.peers.push(parsePeerAddress(value));
        break;
      case 'xl':
        if (!/^\d{1,16}$/.test(value) || Number(value) > Number.MAX_SAFE_INTEGER) throw new MagnetError(`bad length (xl) '${value}'`);
        magnet.length = Number(value);
        break;
      case 'so':
        magnet.selectOnly = parseSelectOnly(value);
        break;
      default:
        break; // as, xs, kt, mt and unknown keys carry nothing this client uses
    }
  }
  if (!v1 && !v2) throw new MagnetError('magnet has no info-hash (xt=urn:btih:... or xt=urn:btmh:...)');
  magnet.infoHash = v1 ?? v2!.slice(0, 40);
  if (v2) magnet.infoHashV2 = v2;
  return magnet;
}

function decodePart(text: string, what: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new MagnetError(`bad percent-encoding in ${what}`);
  }
}

function parseExactTopic(value: string): { version: 1 | 2 | 0; hex: string } {
  const lower = value.toLowerCase();
  if (lower.startsWith('urn:btih:')) return { version: 1, hex: parseInfoHash(value.slice(9)) };
  if (lower.startsWith('urn:btmh:')) {
    const multihash = value.slice(9);
    // 0x12 = sha2-256, 0x20 = 32 bytes: the only multihash BEP 52 uses.
    if (!/^1220[0-9a-fA-F]{64}$/.test(multihash)) {
      throw new MagnetError(`bad v2 info-hash '${multihash}': expected 1220 followed by 64 hex characters`);
    }
    return { version: 2, hex: multihash.slice(4).toLowerCase() };
  }
  if (lower.startsWith('urn:')) return { version: 0, hex: '' }; // ed2k, sha1 etc. for other networks
  throw new MagnetError(`bad exact topic (xt) '${value}'`);
}

/** host:port, or [v6]:port, as in BEP 9's x.pe. */
export function parsePeerAddress(text: string): MagnetPeer {
  const match = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:\[\]]+):(\d{1,5})$/.exec(text);
  if (!match) throw new MagnetError(`bad peer address (x.pe) '${text}': expected host:port or [ipv6]:port`);
  const host = match[1]!;
  const port = Number(match[2]);
  const bracketed = text.startsWith('[');
  if (bracketed && isIP(host) !== 6) throw new MagnetError(`bad peer address (x.pe) '${text}': not an IPv6 address`);
  if (!bracketed && isIP(host) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host)) {
    throw new MagnetError(`bad peer address (x.pe) '${text}': bad host`);
  }
  if (port < 1 || port > 65535) throw new MagnetError(`bad peer address (x.pe) '${text}': port out of range`);
  return { host, port };
}

function parseSelectOnly(value: string): number[] {
  const selected = new Set<number>();
  for (const item of value.split(',')) {
    const match = /^(\d{1,9})(?:-(\d{1,9}))?$/.exec(item);
    if (!match) throw new MagnetError(`bad select-only (so) '${value}'`);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first) throw new MagnetError(`bad select-only (so) range '${item}'`);
    if (last - first + selected.size >= MAX_SELECTED) throw new MagnetError(`select-only (so) selects too many files`);
    for (let i = first; i <= last; i++) selected.add(i);
  }
  return [...selected].sort((a, b) => a - b);
}

export interface MagnetFields {
  infoHash?: string;
  infoHashV2?: string;
  name?: string;
  trackers?: string[];
  webSeeds?: string[];
  peers?: MagnetPeer[];
  length?: number;
}

/** Builds a magnet link; a v2-only torrent gives just the btmh topic. */
export function magnetURI(fields: MagnetFields): string {
  const parts: string[] = [];
  const v2 = fields.infoHashV2?.toLowerCase();
  const v1 = fields.infoHash?.toLowerCase();
  // A v2-only torrent's infoHash is the truncated v2 hash: not a btih.
  if (v1 && !(v2 && v2.startsWith(v1))) parts.push(`xt=urn:btih:${parseInfoHash(v1)}`);
  if (v2) {
    if (!/^[0-9a-f]{64}$/.test(v2)) throw new MagnetError(`bad v2 info-hash '${v2}'`);
    parts.push(`xt=urn:btmh:1220${v2}`);
  }
  if (parts.length === 0) throw new MagnetError('a magnet link needs an info-hash');
  if (fields.name !== undefined) parts.push(`dn=${encodeURIComponent(fields.name)}`);
  if (fields.length !== undefined) parts.push(`xl=${fields.length}`);
  for (const tr of fields.trackers ?? []) parts.push(`tr=${encodeURIComponent(tr)}`);
  for (const ws of fields.webSeeds ?? []) parts.push(`ws=${encodeURIComponent(ws)}`);
  for (const peer of fields.peers ?? []) {
    const host = isIP(peer.host) === 6 ? `[${peer.host}]` : peer.host;
    parts.push(`x.pe=${encodeURIComponent(`${host}:${peer.port}`).replace(/%5B/g, '[').replace(/%5D/g, ']').replace(/%3A/g, ':')}`);
  }
  return `magnet:?${parts.join('&')}`;
}
