/** BEP 11 ut_pex message payloads: bencoded dictionaries of compact peer lists. */
import { decode, encode, isBytes, isDict, type BDict } from '../codec/bencode.js';
import { parseCompactPeers4, parseCompactPeers6 } from '../discovery/tracker/compact.js';
import type { PeerAddress } from '../discovery/tracker/types.js';
import { ipBytes } from './ip-bytes.js';

/** BEP 11 `added.f` bits. */
export const PEX_ENCRYPTION = 0x01;
export const PEX_SEED = 0x02;
export const PEX_UTP = 0x04;
export const PEX_HOLEPUNCH = 0x08;
export const PEX_REACHABLE = 0x10;

export interface PexPeer extends PeerAddress {
  flags: number;
}

export interface PexMessage {
  added: PexPeer[];
  dropped: PeerAddress[];
}

/** Compact form of one address, or undefined for something that is not a literal IP. */
export function compactAddress(host: string, port: number): Buffer | undefined {
  const bytes = ipBytes(host);
  if (!bytes) return undefined;
  const out = Buffer.alloc(bytes.length + 2);
  out.set(bytes);
  out.writeUInt16BE(port, bytes.length);
  return out;
}

export function encodePex(message: PexMessage): Buffer {
  const added4: Buffer[] = [];
  const flags4: number[] = [];
  const added6: Buffer[] = [];
  const flags6: number[] = [];
  const dropped4: Buffer[] = [];
  const dropped6: Buffer[] = [];
  for (const p of message.added) {
    const c = compactAddress(p.host, p.port);
    if (c?.length === 6) {
      added4.push(c);
      flags4.push(p.flags);
    } else if (c?.length === 18) {
      added6.push(c);
      flags6.push(p.flags);
    }
  }
  for (const p of message.dropped) {
    const c = compactAddress(p.host, p.port);
    if (c?.length === 6) dropped4.push(c);
    else if (c?.length === 18) dropped6.push(c);
  }
  const d: BDict = new Map();
  d.set('added', Buffer.concat(added4));
  d.set('added.f', Buffer.from(flags4));
  if (added6.length > 0) {
    d.set('added6', Buffer.concat(added6));
    d.set('added6.f', Buffer.from(flags6));
  }
  d.set('dropped', Buffer.concat(dropped4));
  if (dropped6.length > 0) d.set('dropped6', Buffer.concat(dropped6));
  return encode(d);
}

/**
 * Lenient: a missing or wrong-typed key is an empty list, a ragged tail is ignored. Only a
 * payload that is not a bencoded dictionary throws.
 */
export function decodePex(payload: Buffer): PexMessage {
  const value = decode(payload, { allowTrailing: true });
  if (!isDict(value)) throw new Error('ut_pex message is not a dictionary');
  const bytes = (key: string): Uint8Array => {
    const v = value.get(key);
    return isBytes(v) ? v : new Uint8Array(0);
  };
  const withFlags = (peers: PeerAddress[], flags: Uint8Array, stride: number, data: Uint8Array): PexPeer[] => {
    // parseCompactPeers skips port-0 entries, so flags are matched by position in `data`.
    const out: PexPeer[] = [];
    let k = 0;
    for (let i = 0; i + stride <= data.length; i += stride) {
      const port = (data[i + stride - 2]! << 8) | data[i + stride - 1]!;
      if (port === 0) continue;
      const peer = peers[k++]!;
      out.push({ ...peer, flags: flags[i / stride] ?? 0 });
    }
    return out;
  };
  const a4 = bytes('added');
  const a6 = bytes('added6');
  return {
    added: [...withFlags(parseCompactPeers4(a4), bytes('added.f'), 6, a4), ...withFlags(parseCompactPeers6(a6), bytes('added6.f'), 18, a6)],
    dropped: [...parseCompactPeers4(bytes('dropped')), ...parseCompactPeers6(bytes('dropped6'))],
  };
}
