/**
 * A gate in front of the DHT library's UDP socket: only well-formed KRPC messages of the
 * kinds we use get through. bittorrent-dht trusts field types (it calls methods on values
 * that a hostile node can make integers, lists or huge strings), so anything else is
 * dropped here before the library sees it.
 */
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { BencodeError, decode, isBytes, isDict, isInt, type BDict, type BValue } from '../codec/bencode.js';

export const MAX_KRPC_PACKET = 8 * 1024;
const ID_LENGTH = 20;
const NODE_INFO_LENGTH = 26;
const NODE6_INFO_LENGTH = 38;
const MAX_NODES = 64;
const MAX_VALUES = 200;
const MAX_TOKEN = 64;
const QUERIES = new Set(['ping', 'find_node', 'get_peers', 'announce_peer']);

/** `ipv6`: a packet of the IPv6 DHT (BEP 32: `nodes6`, 18-byte peer values). */
export function isAcceptableKrpc(packet: Uint8Array, ipv6 = false): boolean {
  if (packet.length === 0 || packet.length > MAX_KRPC_PACKET) return false;
  let message: BValue;
  try {
    message = decode(packet, { maxDepth: 4 });
  } catch (error) {
    if (error instanceof BencodeError) return false;
    throw error;
  }
  if (!isDict(message)) return false;
  const t = message.get('t');
  if (!isBytes(t) || t.length === 0 || t.length > 32) return false;
  switch (text(message.get('y'))) {
    case 'q':
      return isAcceptableQuery(message);
    case 'r':
      return isAcceptableResponse(message.get('r'), ipv6);
    case 'e':
      return Array.isArray(message.get('e'));
    default:
      return false;
  }
}

function isAcceptableQuery(message: BDict): boolean {
  const q = text(message.get('q'));
  const a = message.get('a');
  if (q === undefined || !QUERIES.has(q) || !isDict(a) || !isHash(a.get('id'))) return false;
  if (q === 'find_node') return isHash(a.get('target'));
  if (q === 'get_peers') return isHash(a.get('info_hash'));
  if (q === 'announce_peer') {
    const token = a.get('token');
    const implied = a.get('implied_port');
    return (
      isHash(a.get('info_hash')) &&
      isBytes(token) &&
      token.length <= MAX_TOKEN &&
      (a.get('port') === undefined || isPort(a.get('port'))) &&
      (implied === undefined || implied === 0 || implied === 1)
    );
  }
  return true;
}

function isAcceptableResponse(r: BValue | undefined, ipv6: boolean): boolean {
  if (!isDict(r) || !isHash(r.get('id'))) return false;
  for (const [key, size] of [
    ['nodes', NODE_INFO_LENGTH],
    ['nodes6', NODE6_INFO_LENGTH],
  ] as const) {
    const nodes = r.get(key);
    if (nodes !== undefined && (!isBytes(nodes) || nodes.length % size !== 0 || nodes.length > size * MAX_NODES)) return false;
  }
  const token = r.get('token');
  if (token !== undefined && (!isBytes(token) || token.length > MAX_TOKEN)) return false;
  const values = r.get('values');
  if (values !== undefined) {
    if (!Array.isArray(values) || values.length > MAX_VALUES) return false;
    // Compact peers of the socket's family only: the library decodes every value as one.
    const size = ipv6 ? 18 : 6;
    if (!values.every((v) => isBytes(v) && v.length === size)) return false;
  }
  // BEP 44 fields: we never send get/put, so a response carrying them is not for us.
  return !r.has('v') && !r.has('k') && !r.has('sig');
}

function text(v: BValue | undefined): string | undefined {
  return isBytes(v) && v.length <= 32 ? Buffer.from(v).toString('latin1') : undefined;
}

function isHash(v: BValue | undefined): boolean {
  return isBytes(v) && v.length === ID_LENGTH;
}

function isPort(v: BValue | undefined): boolean {
  return isInt(v) && typeof v === 'number' && v >= 0 && v <= 65535;
}

/**
 * A dgram socket as k-rpc-socket uses it (bind, send, close, address, events) that only
 * passes on acceptable messages. `dropped` counts the rest.
 */
export class GuardedSocket extends EventEmitter {
  dropped = 0;
  private readonly socket: dgram.Socket;

  /** udp6 is IPv6 only: the IPv4 DHT holds the same port on 0.0.0.0. */
  constructor(type: 'udp4' | 'udp6' = 'udp4') {
    super();
    this.socket = dgram.createSocket({ type, ipv6Only: type === 'udp6' });
    this.socket.on('message', (packet: Buffer, rinfo: dgram.RemoteInfo) => {
      if (isAcceptableKrpc(packet, type === 'udp6')) this.emit('message', packet, rinfo);
      else this.dropped++;
    });
    this.socket.on('listening', () => this.emit('listening'));
    this.socket.on('error', (error) => this.emit('error', error));
    this.socket.on('close', () => this.emit('close'));
  }

  bind(...args: unknown[]): void {
    (this.socket.bind as (...a: unknown[]) => void)(...args);
  }

  send(...args: unknown[]): void {
    try {
      (this.socket.send as (...a: unknown[]) => void)(...args);
    } catch (error) {
      // A send after close, or to a bad address from a hostile `nodes` list: not fatal.
      const callback = args[args.length - 1];
      if (typeof callback === 'function') callback(error);
    }
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      this.emit('close');
    }
  }

  address(): ReturnType<dgram.Socket['address']> {
    return this.socket.address();
  }

  unref(): void {
    this.socket.unref();
  }
}
