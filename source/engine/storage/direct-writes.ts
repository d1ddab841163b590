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
 * beyond its limit on a slow disk). The event loop must not stall on that, so once a direct
 * write took longer than `slowMs`, writes go to the pool for `backOffMs`.
 */
export class DirectWrites {
  private asyncUntil = 0;

  constructor(
    readonly chunkBytes = 16 * 1024,
    private readonly slowMs = 100,
    private readonly backOffMs = 10_000,
  ) {}

  /** Whether the next write may go directly. */
  allowed(now: number): boolean {
    return now >= this.asyncUntil;
  }

  /** How long a direct write of one slice took (ms); a slow one sends writes to the pool for a while. */
  took(ms: number, now: number): void {
    if (ms > this.slowMs) this.asyncUntil = now + this.backOffMs;
  }
}
