/**
 * Peer connections, dialled or accepted, that read into one buffer shared by all of them.
 *
 * A plain socket allocates a fresh 64 KiB buffer for every read: a 1 GiB download made a
 * gigabyte of short-lived buffers, and the garbage collector's work on them was a tenth of
 * btui's CPU. Reads are delivered one at a time on this thread, and the receiver (PeerWire)
 * copies whatever it keeps before returning, so one buffer serves every connection.
 */
import net from 'node:net';
import { byteRelay } from './byte-relay.js';

const READ_BUFFER_BYTES = 256 * 1024;
let sharedReadBuffer: Buffer | undefined;

export interface PeerSocket {
  socket: net.Socket;
  /** Where the bytes go; those that arrive before this is called are kept (copied) and handed over first. */
  deliverTo(receiver: (chunk: Buffer) => void): void;
}

/** `localAddress`: the address outgoing connections leave from (the session's listen host). */
export function connectPeerSocket(host: string, port: number, localAddress?: string): PeerSocket {
  const reads = sharedReads();
  return { socket: net.connect({ host, port, localAddress, onread: reads.onread }), deliverTo: reads.deliverTo };
}

/**
 * An accepted connection (from a server with `pauseOnConnect`, so nothing is read yet) moved
 * onto a socket that reads into the shared buffer. Node 20 takes `onread` only when it creates
 * the socket, never for a server's: the new socket is made over the accepted one's handle, and
 * the accepted one, left without it, is destroyed (its server stops counting it). Without a
 * handle to take, the accepted socket is returned as it is, reading through 'data' events.
 */
export function adoptAcceptedSocket(accepted: net.Socket): { socket: net.Socket; deliverTo?: PeerSocket['deliverTo'] } {
  const holder = accepted as unknown as { _handle?: object | null };
  const handle = holder._handle;
  if (!handle) {
    accepted.resume();
    return { socket: accepted };
  }
  const reads = sharedReads();
  const options = { handle, readable: true, writable: true, onread: reads.onread } as net.SocketConstructorOpts;
  const socket = new net.Socket(options);
  holder._handle = null;
  accepted.destroy();
  return { socket, deliverTo: reads.deliverTo };
}

/** One connection's reads from the shared buffer, relayed to its receiver (copied and held until there is one). */
function sharedReads(): { onread: net.OnReadOpts; deliverTo: PeerSocket['deliverTo'] } {
  sharedReadBuffer ??= Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
  const relay = byteRelay();
  return {
    onread: {
      buffer: sharedReadBuffer,
      callback: (bytes: number, buffer: Uint8Array): boolean => {
        relay.feed(Buffer.from(buffer.buffer, buffer.byteOffset, bytes));
        return true;
      },
    },
    deliverTo: relay.deliverTo,
  };
}
