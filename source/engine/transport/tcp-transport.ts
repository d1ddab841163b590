import net from 'node:net';
import type { NetworkBinding } from './binding.js';
import { connectPeerSocket } from './peer-socket.js';
import type { Dialing, Transport } from './transport.js';

export interface TcpTransportOptions {
  /**
   * The address outgoing connections leave from (the session's listen host, when it names one
   * address). Used only for peers of its family: an IPv4 address cannot reach an IPv6 peer.
   */
  localAddress?: string;
  /** A bound session's address (--bind, --interface): every dial leaves from it, none while it is down. */
  binding?: NetworkBinding;
}

/** Plain TCP over the shared-read-buffer sockets of peer-socket.ts. */
export function makeTcpTransport(options: TcpTransportOptions = {}): Transport {
  const local = options.localAddress && !isWildcard(options.localAddress) ? options.localAddress : undefined;
  const localFamily = local ? net.isIP(local) : 0;
  return {
    name: 'tcp',
    dial(host, port, timeoutMs, callbacks): Dialing {
      if (options.binding) {
        let from: string;
        try {
          from = options.binding.localFor(host);
        } catch {
          return failSoon(callbacks);
        }
        return dialTcp(host, port, from, timeoutMs, callbacks);
      }
      return dialTcp(host, port, local && net.isIP(host) === localFamily ? local : undefined, timeoutMs, callbacks);
    },
  };
}

/** A dial that cannot start: failed() on the next tick, as a refused connection would be. */
function failSoon(callbacks: Parameters<Transport['dial']>[3]): Dialing {
  let cancelled = false;
  setImmediate(() => cancelled || callbacks.failed());
  return {
    cancel() {
      cancelled = true;
    },
  };
}

/** Plain TCP from whatever address the system picks. */
export const tcpTransport: Transport = makeTcpTransport();

/** An address that names no one interface (or a host name): binding to it would change nothing. */
function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || net.isIP(address) === 0;
}

function dialTcp(
  host: string,
  port: number,
  localAddress: string | undefined,
  timeoutMs: number,
  callbacks: Parameters<Transport['dial']>[3],
): Dialing {
  const { socket, deliverTo } = connectPeerSocket(host, port, localAddress);
  let done = false;
  const fail = () => {
    if (done) return;
    done = true;
    callbacks.failed();
  };
  socket.setTimeout(timeoutMs, () => socket.destroy());
  socket.once('error', fail);
  socket.once('close', fail);
  socket.once('connect', () => {
    if (done) return;
    done = true;
    socket.setTimeout(0);
    callbacks.opened({ stream: socket, deliverTo });
  });
  return {
    cancel() {
      done = true;
      socket.destroy();
    },
  };
}
