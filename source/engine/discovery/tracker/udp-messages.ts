/**
 * BEP 15 replies as pure functions of the datagram, so that they can be tested (and
 * fuzzed) without sockets. The exchange in udp-tracker.ts has already matched the
 * transaction id and the action.
 */
import { parseCompactPeers4, parseCompactPeers6 } from './compact.js';
import type { AnnounceResult, ScrapeStats } from './types.js';

export const ACTION_CONNECT = 0;
export const ACTION_ANNOUNCE = 1;
export const ACTION_SCRAPE = 2;
export const ACTION_ERROR = 3;

/** Minimum reply sizes per action; shorter replies are ignored as noise. */
export const MIN_REPLY_LENGTH = { [ACTION_CONNECT]: 16, [ACTION_ANNOUNCE]: 20, [ACTION_SCRAPE]: 8 } as const;

export type UdpReplyHeader = { action: number; transactionId: number } | undefined;

/** Action and transaction id of a datagram, or undefined when it is too short to carry them. */
export function udpReplyHeader(msg: Uint8Array): UdpReplyHeader {
  if (msg.length < 8) return undefined;
  const view = Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength);
  return { action: view.readUInt32BE(0), transactionId: view.readUInt32BE(4) };
}

/** The text of an error reply (action 3), NULs and blanks trimmed, at most 200 characters. */
export function udpErrorText(msg: Uint8Array): string {
  const text = Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength).subarray(8).toString('utf8').replace(/\0+$/, '').trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

export function udpConnectionId(msg: Uint8Array): Buffer {
  return Buffer.from(msg.subarray(8, 16));
}

/** An announce reply (msg.length >= 20): interval, counts and compact peers of the socket's family. */
export function parseUdpAnnounce(msg: Uint8Array, ipv6: boolean): AnnounceResult {
  const view = Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength);
  const peerBytes = view.subarray(20);
  return {
    interval: view.readUInt32BE(8),
    incomplete: view.readUInt32BE(12),
    complete: view.readUInt32BE(16),
    peers: ipv6 ? parseCompactPeers6(peerBytes) : parseCompactPeers4(peerBytes),
  };
}

/** A scrape reply (msg.length >= 8): stats for each hash asked for that the reply covers. */
export function parseUdpScrape(
  msg: Uint8Array,
  hashes: readonly Buffer[],
  into = new Map<string, ScrapeStats>(),
): Map<string, ScrapeStats> {
  const view = Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength);
  hashes.forEach((hash, i) => {
    const at = 8 + 12 * i;
    if (at + 12 > view.length) return;
    into.set(hash.toString('hex'), {
      complete: view.readUInt32BE(at),
      downloaded: view.readUInt32BE(at + 4),
      incomplete: view.readUInt32BE(at + 8),
    });
  });
  return into;
}
