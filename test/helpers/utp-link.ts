/**
 * Two UtpSockets joined by a simulated link in-process: each datagram is dropped,
 * delayed or passed by a seeded rule, so a lossy run can be replayed exactly.
 */
import type { ConnectionOptions } from '../../source/engine/transport/utp/connection.js';
import { UtpSocket } from '../../source/engine/transport/utp/utp-socket.js';
import type { UtpStream } from '../../source/engine/transport/utp/utp-stream.js';
import { rng } from './seeded-random.js';

export interface LinkOptions {
  seed?: number;
  /** Probability a datagram is lost. */
  loss?: number;
  /** Probability a datagram is held back (and so overtaken by later ones). */
  reorder?: number;
  /** How long a held-back datagram waits, ms. */
  reorderDelayMs?: number;
  /** Drops the n-th datagram (0-based, both ways counted together) when true, besides `loss`. */
  drop?(n: number): boolean;
  connection?: ConnectionOptions;
  /**
   * A bottleneck each way: datagrams leave at this many bytes a second through a FIFO queue,
   * which drops what would wait longer than `queueMs` (tail drop, as a router's buffer does).
   */
  rateBytesPerSec?: number;
  queueMs?: number;
}

export interface Link {
  a: UtpSocket;
  b: UtpSocket;
  /** Incoming streams at b. */
  accepted: UtpStream[];
  stats: { sent: number; dropped: number; reordered: number; queueDelaysMs: number[] };
  close(): void;
}

export const A = { host: '10.0.0.1', port: 1001 };
export const B = { host: '10.0.0.2', port: 1002 };

export function makeLink(options: LinkOptions = {}, onAccept?: (s: UtpStream) => void): Link {
  const random = rng(options.seed ?? 1);
  const stats = { sent: 0, dropped: 0, reordered: 0, queueDelaysMs: [] as number[] };
  const queueFreeAt = new Map<() => UtpSocket, number>();
  const accepted: UtpStream[] = [];
  let closed = false;
  // The sockets' timers are unref'd (a real UDP socket holds the process open): this stands in for it.
  const keepAlive = setInterval(() => undefined, 1000);
  const deliver = (to: () => UtpSocket, from: { host: string; port: number }) => (packet: Buffer) => {
    const n = stats.sent++;
    if (random() < (options.loss ?? 0) || options.drop?.(n)) {
      stats.dropped++;
      return;
    }
    const copy = Buffer.from(packet); // the sender may re-stamp its buffer for a resend
    const hand = () => !closed && to().receive(copy, from.host, from.port);
    if (options.rateBytesPerSec) {
      const now = performance.now();
      const start = Math.max(now, queueFreeAt.get(to) ?? 0);
      const waitMs = start - now;
      if (waitMs > (options.queueMs ?? 1000)) {
        stats.dropped++;
        return;
      }
      if (to === bSocket) stats.queueDelaysMs.push(waitMs);
      const leaves = start + (copy.length * 1000) / options.rateBytesPerSec;
      queueFreeAt.set(to, leaves);
      setTimeout(hand, leaves - now);
      return;
    }
    if (random() < (options.reorder ?? 0)) {
      stats.reordered++;
      setTimeout(hand, options.reorderDelayMs ?? 5);
    } else setImmediate(hand);
  };
  const bSocket = () => b;
  const a: UtpSocket = new UtpSocket({ send: deliver(bSocket, A), tickMs: 10, connection: options.connection });
  const b: UtpSocket = new UtpSocket({
    send: deliver(() => a, B),
    tickMs: 10,
    connection: options.connection,
    onConnection: (s) => {
      accepted.push(s);
      onAccept?.(s);
    },
  });
  return {
    a,
    b,
    accepted,
    stats,
    close() {
      closed = true;
      clearInterval(keepAlive);
      a.close();
      b.close();
    },
  };
}
