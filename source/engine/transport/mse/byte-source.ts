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
