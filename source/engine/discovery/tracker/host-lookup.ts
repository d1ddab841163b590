import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';

/** `family`: 4, 6, or 0 for either (a session bound to one address reaches only its own family). */
type Resolve = (host: string, callback: (error: Error | null, address?: LookupAddress) => void, family: number) => void;

const defaultResolve: Resolve = (host, callback, family) =>
  dnsLookup(host, { verbatim: true, family }, (error, address, found) => callback(error, error ? undefined : { address, family: found }));

/**
 * Tracker host names, resolved with a bound on the system resolver. Node resolves through
 * getaddrinfo on libuv's pool of 4 threads, which file I/O shares: announces to thousands of
 * distinct hosts behind a resolver that hangs would hold every thread and stall the disk. So at
 * most `maxLookups` lookups run at once (a lookup that timed out keeps its slot until it really
 * returns), the same host is looked up once at a time, and answers (failures too, shorter) are
 * kept a while.
 */
export class HostLookup {
  private inFlight = 0;
  private readonly queue: { start: () => void }[] = [];
  private readonly pending = new Map<string, Promise<LookupAddress>>();
  private readonly cache = new Map<string, { until: number; address?: LookupAddress; error?: Error }>();

  constructor(
    private readonly options: { maxLookups?: number; ttlMs?: number; failureTtlMs?: number; maxCached?: number; resolve?: Resolve } = {},
  ) {}

  /** Lookups running in the resolver now (timed-out ones included). */
  get running(): number {
    return this.inFlight;
  }

  lookup(host: string, timeoutMs = 15_000, family = 0): Promise<LookupAddress> {
    const literal = isIP(host);
    if (literal !== 0) return Promise.resolve({ address: host, family: literal });
    const key = family === 0 ? host : `${family} ${host}`;
    const now = Date.now();
    const cached = this.cache.get(key);
    if (cached && cached.until > now) return cached.error ? Promise.reject(cached.error) : Promise.resolve(cached.address!);
    let shared = this.pending.get(key);
    if (!shared) {
      shared = this.resolveQueued(host, key, family).finally(() => this.pending.delete(key));
      this.pending.set(key, shared);
    }
    return withTimeout(shared, timeoutMs, host);
  }

  /** For http.get's and net.connect's `lookup` option. */
  readonly forNet = (
    host: string,
    options: LookupOptions,
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : (options.family ?? 0);
    this.lookup(host, undefined, family).then(
      (a) => (options.all ? callback(null, [a]) : callback(null, a.address, a.family)),
      (error: Error) => callback(error, options.all ? [] : ''),
    );
  };

  private resolveQueued(host: string, key: string, family: number): Promise<LookupAddress> {
    return new Promise<LookupAddress>((resolve, reject) => {
      const start = () => {
        this.inFlight++;
        (this.options.resolve ?? defaultResolve)(
          host,
          (error, address) => {
            this.inFlight--;
            this.remember(key, error ?? undefined, address);
            this.next();
            if (error || !address) reject(error ?? new Error(`cannot resolve ${host}`));
            else resolve(address);
          },
          family,
        );
      };
      this.queue.push({ start });
      this.next();
    });
  }

  private next(): void {
    while (this.inFlight < (this.options.maxLookups ?? 2) && this.queue.length > 0) this.queue.shift()!.start();
  }

  private remember(host: string, error: Error | undefined, address: LookupAddress | undefined): void {
    const ttl = error ? (this.options.failureTtlMs ?? 60_000) : (this.options.ttlMs ?? 300_000);
    this.cache.delete(host);
    this.cache.set(host, { until: Date.now() + ttl, address, error });
    if (this.cache.size > (this.options.maxCached ?? 20_000)) this.cache.delete(this.cache.keys().next().value!);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, host: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(Object.assign(new Error(`resolving ${host} timed out`), { code: 'ETIMEOUT' })), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** The process's one: every tracker request shares the bound. */
export const trackerHosts = new HostLookup();
