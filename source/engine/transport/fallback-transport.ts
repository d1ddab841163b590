/**
 * uTP and TCP to one peer, one connection kept. uTP goes first only to an address known to
 * speak it (peer exchange's flag 0x04, an earlier uTP connection, one it made to us); any other
 * goes TCP first. The second transport is dialled beside the first after `raceDelayMs`, or at
 * once when the first fails: whichever opens first is the connection, the other is cancelled.
 * So a peer that does not answer one transport costs a fraction of a second, not a timeout.
 * An address whose uTP dial failed is dialled over TCP only from then on (as libtorrent does).
 * Either transport may be off (then only the other is used, with the whole timeout).
 */
import type { Dialing, OpenedStream, Transport } from './transport.js';

export interface FallbackOptions {
  /** The time the first transport to dial has alone before the other is dialled beside it. */
  raceDelayMs?: number;
  /** The most a uTP dial waits for its SYN's answer (libtorrent's utp_connect_timeout is 3 s). */
  firstTimeoutMs?: number;
  /** Addresses remembered as speaking uTP or not, at most (the oldest forgotten first). */
  memory?: number;
}

export interface FallbackTransport extends Transport {
  /** What was learned of an address elsewhere: it speaks uTP (PEX flag 0x04, an incoming uTP connection) or not. */
  learn(host: string, port: number, speaksUtp: boolean): void;
  speaksUtp(host: string, port: number): boolean | undefined;
}

export const DEFAULT_RACE_DELAY_MS = 500;

type Callbacks = Parameters<Transport['dial']>[3];

export function makeFallbackTransport(
  first: Transport | undefined,
  second: Transport | undefined,
  options: FallbackOptions = {},
): FallbackTransport {
  const raceDelayMs = options.raceDelayMs ?? DEFAULT_RACE_DELAY_MS;
  const firstTimeoutMs = options.firstTimeoutMs ?? 3000;
  const memory = options.memory ?? 4096;
  const speaks = new Map<string, boolean>();
  const key = (host: string, port: number) => `${host}|${port}`;
  const learn = (host: string, port: number, yes: boolean) => {
    const k = key(host, port);
    speaks.delete(k);
    if (speaks.size >= memory) speaks.delete(speaks.keys().next().value!);
    speaks.set(k, yes);
  };
  return {
    name: [first?.name, second?.name].filter(Boolean).join('+'),
    learn,
    speaksUtp: (host, port) => (first && second ? speaks.get(key(host, port)) : first !== undefined),
    dial(host, port, timeoutMs, callbacks): Dialing {
      if (!first || !second) {
        const only = first ?? second;
        if (!only) {
          let cancelled = false;
          queueMicrotask(() => !cancelled && callbacks.failed());
          return { cancel: () => (cancelled = true) };
        }
        return only.dial(host, port, timeoutMs, callbacks);
      }
      const known = speaks.get(key(host, port));
      if (known === false) return second.dial(host, port, timeoutMs, callbacks);
      const order = known === true ? [first, second] : [second, first];
      return race(order, host, port, timeoutMs, callbacks, {
        raceDelayMs,
        timeoutFor: (t) => (t === first ? Math.min(timeoutMs, firstTimeoutMs) : timeoutMs),
        outcome: (t, opened) => {
          if (t === first) learn(host, port, opened);
        },
      });
    },
  };
}

/** Dials `order[0]`, then `order[1]` after the delay or the first's failure; the first to open wins. */
function race(
  order: Transport[],
  host: string,
  port: number,
  timeoutMs: number,
  callbacks: Callbacks,
  how: { raceDelayMs: number; timeoutFor(t: Transport): number; outcome(t: Transport, opened: boolean): void },
): Dialing {
  const dials = new Map<Transport, Dialing>();
  let pending = 0;
  let settled = false;
  let timer: NodeJS.Timeout | undefined;
  const tried = new Set<Transport>();
  const start = (t: Transport) => {
    if (settled || tried.has(t)) return;
    tried.add(t);
    pending++;
    // A transport may call back before dial() returns: its entry is set first.
    dials.set(t, { cancel: () => undefined });
    const dialing = t.dial(host, port, how.timeoutFor(t), {
      opened: (s: OpenedStream) => {
        pending--;
        dials.delete(t);
        how.outcome(t, true);
        if (settled) {
          s.stream.destroy();
          return;
        }
        settled = true;
        clearTimeout(timer);
        for (const other of dials.values()) other.cancel();
        dials.clear();
        callbacks.opened(s);
      },
      failed: () => {
        pending--;
        dials.delete(t);
        how.outcome(t, false);
        if (settled) return;
        const next = order.find((o) => !tried.has(o));
        if (next) start(next);
        else if (pending === 0) {
          settled = true;
          clearTimeout(timer);
          callbacks.failed();
        }
      },
    });
    if (dials.has(t)) dials.set(t, dialing);
  };
  start(order[0]!);
  if (!settled && order[1]) {
    timer = setTimeout(() => start(order[1]!), how.raceDelayMs);
  }
  return {
    cancel() {
      settled = true;
      clearTimeout(timer);
      for (const d of dials.values()) d.cancel();
      dials.clear();
    },
  };
}
