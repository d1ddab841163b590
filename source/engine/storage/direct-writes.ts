import { RunnableClock } from './runnable-clock.js';

/**
 * Whether a write goes straight from the calling thread, in small system calls, rather than as a
 * job on libuv's pool.
 *
 * Why: a write into the page cache costs little once it is in memory, and the pool's round trip
 * (a promise, a job, a wakeup of a thread and of the loop) costs more than the copy of 256 KiB.
 * And the kernel gives each write system call page-cache folios as large as the call: a 256 KiB
 * write takes high-order blocks of free memory, which a VM that reports free memory to its host
 * (free page reporting) has handed back, so each page costs a host fault when first touched (~2 s
 * of CPU per GiB on the bench machine, against ~0.3 s in 16 KiB calls; docs/benchmarks.md).
 *
 * The catch: a write into the page cache blocks when the kernel throttles writers (dirty pages
 * beyond its limit on a slow disk, a network filesystem). The event loop must not stall on that,
 * so once a direct write was held longer than `slowMs`, writes go to the pool for a while: `backOffMs`
 * at first, twice as long each time another is slow within `forgetMs` of the last, up to
 * `maxBackOffMs`. A disk that keeps throttling costs the loop one slow write every few minutes,
 * not one every ten seconds. "Held" is the write's wall time less the time the thread ran or waited
 * for a CPU (RunnableClock, where the system says): on a busy machine a write is often preempted
 * for longer than `slowMs`, and that is no reason to give up direct writes (it was, before: under
 * the 8-leecher swarm every leecher went back to the pool within seconds, for most of its download).
 */
/** How many writes after one slow by the wall clock are timed against the runnable clock. */
const CLOSELY_TIMED_WRITES = 16;

export class DirectWrites {
  private asyncUntil = 0;
  private lastSlowAt = -Infinity;
  private backOff: number;
  /** Writes still to be timed against the runnable clock, after one was slow by the wall clock. */
  private closelyTimed = 0;

  constructor(
    readonly chunkBytes = 16 * 1024,
    private readonly slowMs = 50,
    private readonly backOffMs = 10_000,
    private readonly maxBackOffMs = 10 * 60_000,
    private readonly forgetMs = 30 * 60_000,
    private readonly clock: Pick<RunnableClock, 'now'> = new RunnableClock(),
  ) {
    this.backOff = backOffMs;
  }

  /** Whether the next write may go directly. */
  allowed(now: number): boolean {
    return now >= this.asyncUntil;
  }

  /**
   * Runs one direct write (of one slice) and times it. Reading the runnable clock costs two system
   * calls a write (a tenth of a second over 16,384 pieces of 16 KiB), so writes are timed by the
   * wall clock alone until one is slow by it; the next ones are then timed closely, and one of them
   * held past `slowMs` sends writes to the pool. A disk that throttles thus costs one slow write
   * more before the back-off; a preempted write costs a few clock reads.
   */
  timed(write: () => void): void {
    const started = performance.now();
    const runnableBefore = this.closelyTimed > 0 ? this.clock.now() : undefined;
    write();
    const wall = performance.now() - started;
    if (runnableBefore !== undefined) {
      this.closelyTimed--;
      const runnableAfter = this.clock.now();
      this.took(wall - (runnableAfter === undefined ? 0 : runnableAfter - runnableBefore), Date.now());
    } else if (wall > this.slowMs) {
      if (this.clock.now() === undefined) this.took(wall, Date.now());
      else this.closelyTimed = CLOSELY_TIMED_WRITES;
    }
  }

  /** How long a direct write of one slice held the thread (ms); a slow one sends writes to the pool for a while. */
  took(ms: number, now: number): void {
    if (ms <= this.slowMs) return;
    this.backOff = now - this.lastSlowAt <= this.forgetMs ? Math.min(this.maxBackOffMs, this.backOff * 2) : this.backOffMs;
    this.lastSlowAt = now;
    this.asyncUntil = now + this.backOff;
  }
}
