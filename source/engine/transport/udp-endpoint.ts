/**
 * The listen port's one UDP socket, shared as libtorrent shares it: datagrams starting with
 * 'd' are bencoded KRPC (the DHT), the rest are offered to uTP (whose first byte is
 * type << 4 | version 1, never 'd').
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import type { ConnectionOptions } from './utp/connection.js';
import { UtpSocket } from './utp/utp-socket.js';
import type { UtpStream } from './utp/utp-stream.js';

const KRPC_FIRST_BYTE = 0x64; // 'd'
/** Loopback bursts at full speed overflow the default (~200 KiB) receive buffer long before uTP's window does. */
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

export interface UdpEndpointOptions {
  port: number;
  /** An address of either family; none or '0.0.0.0': every IPv4 address; '::' with family 6: every IPv6 address. */
  host?: string;
  /** The socket's family (default: the host's; 4 for none or '::'). An IPv6 socket takes IPv6 only: IPv4 has its own. */
  family?: 4 | 6;
  /** Incoming uTP connections; none: uTP SYNs are ignored (uTP dialling still works). */
  onUtpConnection?(stream: UtpStream): void;
  utp?: ConnectionOptions;
}

/**
 * Every send names its peer by address, and dgram resolves it first (dns.lookup, answering on
 * the next tick even for an IP literal): a tenth of a uTP seeder's CPU. Literals answer at once.
 */
const literalLookup = ((host: string, options: unknown, callback: (error: Error | null, address: string, family: number) => void) => {
  const family = net.isIP(host);
  if (family !== 0) callback(null, host, family);
  else dns.lookup(host, options as dns.LookupOneOptions, callback);
}) as unknown as dgram.SocketOptions['lookup'];

type KrpcListener = (packet: Buffer, rinfo: dgram.RemoteInfo) => void;

export class UdpEndpoint {
  readonly utp: UtpSocket;
  private readonly krpc = new Set<KrpcListener>();
  private closed = false;

  private constructor(
    private readonly socket: dgram.Socket,
    options: UdpEndpointOptions,
  ) {
    this.utp = new UtpSocket({
      send: (packet, port, host) => this.send(packet, port, host),
      onConnection: options.onUtpConnection,
      connection: options.utp,
    });
    socket.on('message', (packet: Buffer, rinfo: dgram.RemoteInfo) => {
      if (packet.length > 0 && packet[0] === KRPC_FIRST_BYTE) for (const listener of this.krpc) listener(packet, rinfo);
      else this.utp.receive(packet, rinfo.address, rinfo.port);
    });
    // ICMP errors reported on the socket (a peer's port closed) are not the socket's end.
    socket.on('error', () => undefined);
  }

  /**
   * One family per socket, as libtorrent has it: a session listening on every address ('::')
   * binds two, 0.0.0.0 and [::] (IPv6 only), each shared with that family's DHT.
   */
  static bind(options: UdpEndpointOptions): Promise<UdpEndpoint> {
    const family = options.family ?? (options.host && options.host !== '::' && net.isIPv6(options.host) ? 6 : 4);
    if (options.host && options.host !== '::' && net.isIP(options.host) !== 0 && net.isIP(options.host) !== family)
      return Promise.reject(new Error(`${options.host} is not an IPv${family} address`));
    const host = options.host === '::' && family === 4 ? undefined : options.host;
    const type = family === 6 ? 'udp6' : 'udp4';
    const socket = dgram.createSocket({
      type,
      ipv6Only: family === 6,
      recvBufferSize: SOCKET_BUFFER_BYTES,
      sendBufferSize: SOCKET_BUFFER_BYTES,
      lookup: literalLookup,
    });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ port: options.port, address: host, exclusive: true }, () => {
        socket.off('error', reject);
        resolve(new UdpEndpoint(socket, options));
      });
    });
  }

  get port(): number {
    return this.socket.address().port;
  }

  address(): net.AddressInfo {
    return this.socket.address();
  }

  /** KRPC datagrams (the DHT's); returns the way to stop hearing them. */
  onKrpc(listener: KrpcListener): () => void {
    this.krpc.add(listener);
    return () => this.krpc.delete(listener);
  }

  get family(): 4 | 6 {
    return this.socket.address().family === 'IPv6' ? 6 : 4;
  }

  send(packet: Buffer, port: number, host: string, callback?: (error: Error | null) => void): void {
    if (this.closed) {
      callback?.(new Error('UDP socket closed'));
      return;
    }
    try {
      this.socket.send(packet, port, host, callback);
    } catch (error) {
      callback?.(error as Error);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.utp.close();
    this.krpc.clear();
    this.socket.close();
  }
}
