/**
 * Where every socket of a bound session leaves from (--bind ADDR / --interface NAME). While
 * the address is gone (a VPN's interface went down) nothing may be sent at all: asking for a
 * local address throws, so no socket falls back to another route.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';

export class NetworkDownError extends Error {}

export interface BindingEvents {
  /** The address changed, went away (undefined) or came back. */
  change: [address: string | undefined];
}

export class NetworkBinding extends EventEmitter<BindingEvents> {
  private current: string | undefined;

  /** `what`: how messages name the binding ('interface tun0', '10.8.0.2'); `address`: undefined = down. */
  constructor(
    readonly what: string,
    address: string | undefined,
  ) {
    super();
    this.current = address;
  }

  /** The bound address now; undefined while it is gone. */
  get address(): string | undefined {
    return this.current;
  }

  get up(): boolean {
    return this.current !== undefined;
  }

  get family(): 4 | 6 | undefined {
    const family = this.current ? net.isIP(this.current) : 0;
    return family === 4 || family === 6 ? family : undefined;
  }

  set(address: string | undefined): void {
    if (address === this.current) return;
    this.current = address;
    this.emit('change', address);
  }

  /** The address to send from; throws while down. */
  require(): string {
    if (this.current === undefined) throw new NetworkDownError(`network down: ${this.what} has no address, nothing is sent`);
    return this.current;
  }

  /** The address to reach `host` (a literal address) from; throws while down or when `host` is of the other family. */
  localFor(host: string): string {
    const local = this.require();
    const family = net.isIP(host);
    if (family !== 0 && family !== net.isIP(local))
      throw new NetworkDownError(`${host} is not reachable from ${local} (bound to ${this.what})`);
    return local;
  }
}

/** What a session says while its bound network has no address. */
export function networkDownMessage(bind: NetworkBinding): string {
  return `network down: ${bind.what} has no address; no peer, tracker, DHT or web seed traffic until it returns`;
}
