/**
 * BEP 32 (the DHT over IPv6) for bittorrent-dht 11, which only knows IPv4: k-rpc packs
 * contacts as 26-byte `nodes` and the library reads peer `values` as 6 bytes. The library
 * runs unchanged over this socket, which gives each IPv6 contact a stand-in IPv4 address
 * from 240.0.0.0/4 (reserved, never routed) and rewrites packets both ways: `nodes6`
 * (38-byte entries) <-> `nodes`, 18-byte peer values <-> 6-byte ones, and the sender's
 * address. The library never sees a real IPv6 address; nothing it sends reaches an IPv4 one.
 */
import type dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { decode, encode, isBytes, isDict, type BDict, type BValue } from '../codec/bencode.js';
import { formatIPv6 } from './tracker/compact.js';
import { ipBytes } from '../extensions/ip-bytes.js';
import { GuardedSocket, type SharedUdp } from './dht-guard.js';

const ID = 20;
/** Mappings kept; the least recently used go first (a flood of nodes6 cannot grow memory). */
const MAX_MAPPINGS = 100_000;
const STAND_IN_SPACE = 1 << 28;

/** IPv6 address <-> stand-in IPv4 address in 240.0.0.0/4. */
export class StandInAddresses {
  private readonly byReal = new Map<string, string>();
  private readonly byStandIn = new Map<string, string>();
  private next = 1;

  constructor(private readonly max = MAX_MAPPINGS) {}

  standIn(real: string): string {
    const known = this.byReal.get(real);
    if (known !== undefined) {
      this.touch(real, known);
      return known;
    }
    const n = this.next;
    this.next = (this.next % (STAND_IN_SPACE - 2)) + 1;
    const standIn = `${240 | (n >>> 24)}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
    const previous = this.byStandIn.get(standIn);
    if (previous !== undefined) this.forget(previous, standIn);
    if (this.byReal.size >= this.max) {
      const [oldReal, oldStandIn] = this.byReal.entries().next().value as [string, string];
      this.forget(oldReal, oldStandIn);
    }
    this.byReal.set(real, standIn);
    this.byStandIn.set(standIn, real);
    return standIn;
  }

  /** The IPv6 address behind a stand-in; undefined for any other address. */
  real(standIn: string): string | undefined {
    const real = this.byStandIn.get(standIn);
    if (real !== undefined) this.touch(real, standIn);
    return real;
  }

  get size(): number {
    return this.byReal.size;
  }

  private touch(real: string, standIn: string): void {
    this.byReal.delete(real);
    this.byReal.set(real, standIn);
  }

  private forget(real: string, standIn: string): void {
    this.byReal.delete(real);
    this.byStandIn.delete(standIn);
  }
}

/** One packet from the network, as the library should see it; undefined: drop it. */
export function fromNetwork(packet: Uint8Array, addresses: StandInAddresses): Buffer | undefined {
  const message = decode(packet, { maxDepth: 4 });
  if (!isDict(message)) return undefined;
  const r = message.get('r');
  if (isDict(r)) {
    const nodes6 = r.get('nodes6');
    r.delete('nodes6');
    // IPv4 contacts belong to the IPv4 DHT.
    r.delete('nodes');
    if (isBytes(nodes6))
      r.set(
        'nodes',
        mapNodes(nodes6, ID + 18, ID + 6, (entry) => entry6to4(entry, addresses)),
      );
    mapValues(r, (value) => (value.length === 18 ? peer6to4(value, addresses) : undefined));
  }
  return encode(message);
}

/** One packet from the library, as the network should see it; undefined: drop it. */
export function toNetwork(packet: Uint8Array, addresses: StandInAddresses): Buffer | undefined {
  const message = decode(packet);
  if (!isDict(message)) return undefined;
  const r = message.get('r');
  if (isDict(r)) {
    const nodes = r.get('nodes');
    r.delete('nodes');
    if (isBytes(nodes) && nodes.length > 0)
      r.set(
        'nodes6',
        mapNodes(nodes, ID + 6, ID + 18, (entry) => entry4to6(entry, addresses)),
      );
    mapValues(r, (value) => (value.length === 6 ? peer4to6(value, addresses) : undefined));
  }
  return encode(message);
}

function mapNodes(data: Uint8Array, inSize: number, outSize: number, map: (entry: Uint8Array) => Uint8Array | undefined): Buffer {
  const out: Uint8Array[] = [];
  for (let i = 0; i + inSize <= data.length; i += inSize) {
    const mapped = map(data.subarray(i, i + inSize));
    if (mapped && mapped.length === outSize) out.push(mapped);
  }
  return Buffer.concat(out);
}

function mapValues(r: BDict, map: (value: Uint8Array) => Uint8Array | undefined): void {
  const values = r.get('values');
  if (!Array.isArray(values)) return;
  const mapped: BValue[] = [];
  for (const v of values) {
    const m = isBytes(v) ? map(v) : undefined;
    if (m) mapped.push(m);
  }
  r.set('values', mapped);
}

function entry6to4(entry: Uint8Array, addresses: StandInAddresses): Uint8Array | undefined {
  const peer = peer6to4(entry.subarray(ID), addresses);
  return peer && Buffer.concat([entry.subarray(0, ID), peer]);
}

function entry4to6(entry: Uint8Array, addresses: StandInAddresses): Uint8Array | undefined {
  const peer = peer4to6(entry.subarray(ID), addresses);
  return peer && Buffer.concat([entry.subarray(0, ID), peer]);
}

function peer6to4(compact: Uint8Array, addresses: StandInAddresses): Uint8Array | undefined {
  const standIn = ipBytes(addresses.standIn(formatIPv6(compact.subarray(0, 16))));
  return standIn && Buffer.concat([standIn, compact.subarray(16, 18)]);
}

function peer4to6(compact: Uint8Array, addresses: StandInAddresses): Uint8Array | undefined {
  const real = addresses.real(`${compact[0]}.${compact[1]}.${compact[2]}.${compact[3]}`);
  const bytes = real === undefined ? undefined : ipBytes(real);
  return bytes && Buffer.concat([bytes, compact.subarray(4, 6)]);
}

/** The socket bittorrent-dht gets for the IPv6 DHT: a guarded udp6 socket behind the translation. */
export class Ipv6DhtSocket extends EventEmitter {
  readonly addresses = new StandInAddresses();
  private readonly socket: GuardedSocket;

  /** `shared`: the listen port's IPv6 UDP socket (shared with uTP); without it, one of its own. */
  constructor(shared?: SharedUdp) {
    super();
    this.socket = new GuardedSocket('udp6', shared);
    this.socket.on('message', (packet: Buffer, rinfo: dgram.RemoteInfo) => {
      let translated: Buffer | undefined;
      try {
        translated = fromNetwork(packet, this.addresses);
      } catch {
        translated = undefined;
      }
      if (!translated) {
        this.socket.dropped++;
        return;
      }
      this.emit('message', translated, { ...rinfo, address: this.addresses.standIn(rinfo.address), family: 'IPv4' });
    });
    for (const event of ['listening', 'error', 'close']) this.socket.on(event, (...args: unknown[]) => this.emit(event, ...args));
  }

  get dropped(): number {
    return this.socket.dropped;
  }

  bind(...args: unknown[]): void {
    this.socket.bind(...args);
  }

  /** send(buffer, offset, length, port, host, callback), as k-rpc-socket calls it. */
  send(buffer: Buffer, offset: number, length: number, port: number, host: string, callback?: (error: Error | null) => void): void {
    const real = this.addresses.real(host);
    let packet: Buffer | undefined;
    try {
      packet = real === undefined ? undefined : toNetwork(buffer.subarray(offset, offset + length), this.addresses);
    } catch {
      packet = undefined;
    }
    if (real === undefined || !packet) {
      callback?.(new Error(`no IPv6 address behind ${host}`));
      return;
    }
    this.socket.send(packet, 0, packet.length, port, real, callback);
  }

  close(): void {
    this.socket.close();
  }

  address(): ReturnType<dgram.Socket['address']> {
    return this.socket.address();
  }

  unref(): void {
    this.socket.unref();
  }
}
