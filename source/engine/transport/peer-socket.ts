/**
 * Outgoing peer connections that read into one buffer shared by all of them.
 *
 * A plain socket allocates a fresh 64 KiB buffer for every read: a 1 GiB download made a
 * gigabyte of short-lived buffers, and the garbage collector's work on them was a tenth of
 * btui's CPU. Reads are delivered one at a time on this thread, and the receiver (PeerWire)
 * copies whatever it keeps before returning, so one buffer serves every connection.
 */
import net from 'node:net';

const READ_BUFFER_BYTES = 256 * 1024;
let sharedReadBuffer: Buffer | undefined;

export interface PeerSocket {
  socket: net.Socket;
  /** Where the bytes go; those that arrive before this is called are kept (copied) and handed over first. */
  deliverTo(receiver: (chunk: Buffer) => void): void;
}

/** `localAddress`: the address outgoing connections leave from (the session's listen host). */
export function connectPeerSocket(host: string, port: number, localAddress?: string): PeerSocket {
  sharedReadBuffer ??= Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
  let receiver: ((chunk: Buffer) => void) | undefined;
  let early: Buffer[] = [];
  const socket = net.connect({
    host,
    port,
    localAddress,
    onread: {
      buffer: sharedReadBuffer,
      callback: (bytes: number, buffer: Uint8Array): boolean => {
        const chunk = Buffer.from(buffer.buffer, buffer.byteOffset, bytes);
        if (receiver) receiver(chunk);
        else early.push(Buffer.from(chunk));
        return true;
      },
    },
  });
  return {
    socket,
    deliverTo(r) {
      receiver = r;
      const held = early;
      early = [];
      for (const chunk of held) r(chunk);
    },
  };
}
