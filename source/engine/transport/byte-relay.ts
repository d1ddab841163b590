/**
 * Bytes passed on to a receiver that may come later or change: until there is one, each chunk is
 * copied (a shared read buffer's bytes are overwritten by the next read) and held, then handed
 * over first, in order, to the receiver that is given.
 */
export interface ByteRelay {
  /** A chunk read: to the receiver, or held. */
  feed(chunk: Buffer): void;
  /** Where the bytes go from now on; the held ones first. */
  deliverTo(receiver: (chunk: Buffer) => void): void;
}

/** `held`: bytes already taken off the stream (not copied again), handed over before the rest. */
export function byteRelay(held: Buffer[] = []): ByteRelay {
  let receiver: ((chunk: Buffer) => void) | undefined;
  let early = held;
  return {
    feed(chunk) {
      if (receiver) receiver(chunk);
      else early.push(Buffer.from(chunk));
    },
    deliverTo(r) {
      receiver = r;
      const before = early;
      early = [];
      for (const chunk of before) r(chunk);
    },
  };
}
