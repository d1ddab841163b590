import { byteRelay } from '../byte-relay.js';
import type { OpenedStream } from '../transport.js';

/** Registers where a stream's bytes go from now on; bytes that came before are handed over first. */
export type ByteSource = (receiver: (chunk: Buffer) => void) => void;

/**
 * One reader over an opened stream whose receiver can change: the MSE/PE handshake reads
 * first, then the payload stream. `held`: bytes already read off it (a sniffed first read).
 */
export function switchableSource(opened: OpenedStream, held: Buffer[] = []): ByteSource {
  const relay = byteRelay(held);
  if (opened.deliverTo) opened.deliverTo(relay.feed);
  else opened.stream.on('data', relay.feed);
  return relay.deliverTo;
}

/**
 * `initial`, then the source's bytes, held until a receiver is given: the plaintext payload after
 * an MSE/PE handshake, or an accepted connection's bytes after the ones sniffed to tell which it is.
 */
export function heldUntilDelivered(source: ByteSource, initial: Buffer): ByteSource {
  const relay = byteRelay(initial.length > 0 ? [initial] : []);
  source(relay.feed);
  return relay.deliverTo;
}
