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
 * kept a while. A queued lookup that every caller has given up on is dropped before it starts:
 * behind a hanging resolver the queue would otherwise keep feeding it names nobody waits for
 * (and a daemon told to stop stayed alive for minutes, one 30 s lookup after another).
 */
export class HostLookup {
  private inFlight = 0;
  private readonly queue: { start: () => void }[] = [];
  private readonly pending = new Map<string, { answer: Promise<LookupAddress>; waiters: number }>();
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
    const shared = this.pending.get(key);
    if (shared) {
      shared.waiters++;
      return withTimeout(shared.answer, timeoutMs, host, () => shared.waiters--);
    }
    // Counted before it is queued: with a free slot it starts at once, and only if someone waits.
    const entry = { waiters: 1 } as { answer: Promise<LookupAddress>; waiters: number };
    entry.answer = this.resolveQueued(host, key, family, () => entry.waiters > 0).finally(() => {
      if (this.pending.get(key) === entry) this.pending.delete(key);
    });
    this.pending.set(key, entry);
    return withTimeout(entry.answer, timeoutMs, host, () => entry.waiters--);
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

  private resolveQueued(host: string, key: string, family: number, wanted: () => boolean): Promise<LookupAddress> {
    return new Promise<LookupAddress>((resolve, reject) => {
      const start = () => {
        if (!wanted()) {
          reject(Object.assign(new Error(`resolving ${host} was given up`), { code: 'ETIMEOUT' }));
          return;
        }
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

function withTimeout<T>(promise: Promise<T>, ms: number, host: string, onTimeout: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(Object.assign(new Error(`resolving ${host} timed out`), { code: 'ETIMEOUT' }));
    }, ms);
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
