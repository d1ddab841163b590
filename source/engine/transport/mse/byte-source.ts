import type { OpenedStream } from '../transport.js';

/** Registers where a stream's bytes go from now on; bytes that came before are handed over first. */
export type ByteSource = (receiver: (chunk: Buffer) => void) => void;

/**
 * One reader over an opened stream whose receiver can change: the MSE/PE handshake reads
 * first, then the payload stream. `held`: bytes already read off it (a sniffed first read).
 */
export function switchableSource(opened: OpenedStream, held: Buffer[] = []): ByteSource {
  let target: ((chunk: Buffer) => void) | undefined;
  let early = held;
  const feed = (chunk: Buffer) => {
    if (target) target(chunk);
    else early.push(Buffer.from(chunk));
  };
  if (opened.deliverTo) opened.deliverTo(feed);
  else opened.stream.on('data', feed);
  return (receiver) => {
    target = receiver;
    const before = early;
    early = [];
    for (const chunk of before) receiver(chunk);
  };
}

/**
 * `initial`, then the source's bytes, held until a receiver is given: the plaintext payload after
 * an MSE/PE handshake, or an accepted connection's bytes after the ones sniffed to tell which it is.
 */
export function heldUntilDelivered(source: ByteSource, initial: Buffer): ByteSource {
  let receiver: ((chunk: Buffer) => void) | undefined;
  let early: Buffer[] = initial.length > 0 ? [initial] : [];
  source((chunk) => {
    if (receiver) receiver(chunk);
    else early.push(Buffer.from(chunk));
  });
  return (r) => {
    receiver = r;
    const held = early;
    early = [];
    for (const chunk of held) r(chunk);
  };
}
