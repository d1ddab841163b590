/**
 * BEP 9 ut_metadata, the serving side: hands out our info dictionary in 16 KiB pieces to
 * peers that ask, rejects when we do not have it, and bounds how fast one peer may ask.
 */
import type { ExtensionPeer, WireExtension } from './extension-api.js';
import { decodeMetadataMessage, encodeMetadataMessage, METADATA_PIECE_SIZE, metadataPieceCount } from './ut-metadata-messages.js';

export const UT_METADATA = 'ut_metadata';

export interface UtMetadataOptions {
  /** Requests one peer may make in a burst; the bucket refills at `requestsPerSecond`. */
  burst?: number;
  requestsPerSecond?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** `infoBytes` returns the exact info dictionary, or undefined while we do not have it. */
export function utMetadataExtension(infoBytes: () => Buffer | undefined, options: UtMetadataOptions = {}): WireExtension {
  const burst = options.burst ?? 64;
  const rate = options.requestsPerSecond ?? 16;
  const buckets = new Map<string, Bucket>();

  const allow = (peer: ExtensionPeer): boolean => {
    const now = Date.now();
    let bucket = buckets.get(peer.id);
    if (!bucket) buckets.set(peer.id, (bucket = { tokens: burst, at: now }));
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };

  return {
    name: UT_METADATA,
    handshakeFields() {
      const bytes = infoBytes();
      return bytes ? { metadata_size: bytes.length } : {};
    },
    onMessage(peer, payload) {
      const m = decodeMetadataMessage(payload);
      if (!m || m.type !== 'request') return; // data and reject are for fetchers, not for us
      const bytes = infoBytes();
      if (!bytes || m.piece >= metadataPieceCount(bytes.length) || !allow(peer)) {
        peer.send(encodeMetadataMessage({ type: 'reject', piece: m.piece }));
        return;
      }
      const start = m.piece * METADATA_PIECE_SIZE;
      const data = bytes.subarray(start, start + METADATA_PIECE_SIZE);
      peer.send(encodeMetadataMessage({ type: 'data', piece: m.piece, totalSize: bytes.length, data }));
    },
    onPeerClosed(peer) {
      buckets.delete(peer.id);
    },
    close() {
      buckets.clear();
    },
  };
}

/** Every torrent serves its info dictionary to peers (BEP 9), before any extensions given. */
export function withUtMetadata(infoBytes: () => Buffer | undefined, extensions: WireExtension[] = []): WireExtension[] {
  if (extensions.some((e) => e.name === UT_METADATA)) return extensions;
  return [utMetadataExtension(infoBytes), ...extensions];
}
