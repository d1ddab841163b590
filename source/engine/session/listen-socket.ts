import net from 'node:net';
import type { Duplex } from 'node:stream';
import { adoptAcceptedSocket, type PeerSocket } from '../transport/peer-socket.js';
import { UdpEndpoint } from '../transport/udp-endpoint.js';
import type { UtpStream } from '../transport/utp/utp-stream.js';
import { isWildcard } from './addresses.js';

/** An accepted connection: a TCP socket or a uTP stream. */
export type IncomingStream = Duplex & { remoteAddress?: string; remotePort?: number };

export interface ListenSocket {
  server: net.Server;
  port: number;
  /** It takes IPv6 (a '::' socket takes IPv4 too). */
  ipv6: boolean;
}

/**
 * The peers' TCP listen socket. No host: '::' with IPv4 too where the system has IPv6, else
 * 0.0.0.0 (Node's choice). A port in use is said in words, with the address. Its connections
 * read into the shared read buffer, through `deliverTo`.
 */
export function openListenSocket(
  port: number,
  host: string | undefined,
  onConnection: (socket: net.Socket, deliverTo?: PeerSocket['deliverTo']) => void,
): Promise<ListenSocket> {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ pauseOnConnect: true }, (accepted) => {
      const { socket, deliverTo } = adoptAcceptedSocket(accepted);
      onConnection(socket, deliverTo);
    });
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = host?.includes(':') ? `[${host}]:${port}` : `${host ?? '[::]'}:${port}`;
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} is already in use (${where})`) : error);
    });
    server.listen({ port, host, ipv6Only: false }, () => {
      const address = server.address() as net.AddressInfo;
      resolve({ server, port: address.port, ipv6: address.family === 'IPv6' });
    });
  });
}

/**
 * The listen port's UDP sockets for uTP (and the DHT beside it): one per family the listen socket
 * takes, IPv4 unless it is an IPv6 address, IPv6 when it takes IPv6. A port that cannot be had
 * turns that family's uTP off, with a warning.
 */
export async function openUdpSockets(
  port: number,
  host: string | undefined,
  ipv6Listening: boolean,
  onUtpConnection: (stream: UtpStream) => void,
  warn: (message: string) => void,
): Promise<{ udp?: UdpEndpoint; udp6?: UdpEndpoint }> {
  const family = host && !isWildcard(host) ? net.isIP(host) : 0;
  const sockets: { udp?: UdpEndpoint; udp6?: UdpEndpoint } = {};
  if (family !== 6) {
    try {
      sockets.udp = await UdpEndpoint.bind({ port, host: family === 4 ? host : undefined, family: 4, onUtpConnection });
    } catch (error) {
      warn(`uTP is off: UDP port ${port}: ${(error as Error).message}`);
    }
  }
  if (family !== 4 && ipv6Listening) {
    try {
      sockets.udp6 = await UdpEndpoint.bind({ port, host: family === 6 ? host : '::', family: 6, onUtpConnection });
    } catch (error) {
      warn(`uTP over IPv6 is off: UDP port ${port}: ${(error as Error).message}`);
    }
  }
  return sockets;
}
