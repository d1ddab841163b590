/**
 * uTP first, then TCP, as libtorrent dials: every peer is presumed to speak uTP until a uTP
 * dial to it fails; then TCP is tried at once, and that address is dialled over TCP only
 * from then on. Either transport may be off (then only the other is used).
 */
import type { Dialing, Transport } from './transport.js';

export interface FallbackOptions {
  /** The time the first transport gets before the second is tried (libtorrent's utp_connect_timeout is 3 s). */
  firstTimeoutMs?: number;
  /** Addresses remembered as not speaking the first transport, at most. */
  memory?: number;
}

export function makeFallbackTransport(
  first: Transport | undefined,
  second: Transport | undefined,
  options: FallbackOptions = {},
): Transport {
  const firstTimeoutMs = options.firstTimeoutMs ?? 3000;
  const memory = options.memory ?? 4096;
  const failedFirst = new Set<string>();
  return {
    name: [first?.name, second?.name].filter(Boolean).join('+'),
    dial(host, port, timeoutMs, callbacks): Dialing {
      const key = `${host}|${port}`;
      let current: Dialing | undefined;
      let cancelled = false;
      const trySecond = (ms: number) => {
        if (!second) return callbacks.failed();
        current = second.dial(host, port, ms, callbacks);
      };
      if (!first || failedFirst.has(key)) {
        if (!second) queueMicrotask(() => !cancelled && callbacks.failed());
        else trySecond(timeoutMs);
      } else {
        const started = Date.now();
        current = first.dial(host, port, second ? Math.min(timeoutMs, firstTimeoutMs) : timeoutMs, {
          opened: (s) => callbacks.opened(s),
          failed: () => {
            if (cancelled) return;
            if (!second) return callbacks.failed();
            if (failedFirst.size >= memory) failedFirst.delete(failedFirst.values().next().value!);
            failedFirst.add(key);
            trySecond(Math.max(1000, timeoutMs - (Date.now() - started)));
          },
        });
      }
      return {
        cancel() {
          cancelled = true;
          current?.cancel();
        },
      };
    },
  };
}
