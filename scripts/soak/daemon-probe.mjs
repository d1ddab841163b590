// Preloaded into a soak's daemon (`node --import`): every second, the event loop's delay over that
// second (median, 99th percentile, max, in ms) and where the memory is (MiB: V8's heap used and
// reserved, external memory and array buffers, RSS), written to BTUI_SOAK_PROBE_FILE for the soak.
// With BTUI_SOAK_PROBE_GC_S=N and node's --expose-gc, every N s a full gc first and the heap used
// after it (the live size: what keeps growing across them is kept, the rest was garbage).
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.BTUI_SOAK_PROBE_FILE;
if (file) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const ms = (ns) => Math.round(ns / 1e5) / 10;
  const mib = (bytes) => Math.round(bytes / 1048576);
  const gcEvery = Number(process.env.BTUI_SOAK_PROBE_GC_S ?? 0);
  let ticks = 0;
  let liveHeap;
  setInterval(() => {
    ticks++;
    if (gcEvery > 0 && globalThis.gc && ticks % gcEvery === 0) {
      globalThis.gc();
      liveHeap = mib(process.memoryUsage().heapUsed);
    }
    const memory = process.memoryUsage();
    const sample = {
      lag: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
      memory: {
        heapUsed: mib(memory.heapUsed),
        heapTotal: mib(memory.heapTotal),
        external: mib(memory.external),
        arrayBuffers: mib(memory.arrayBuffers),
        rss: mib(memory.rss),
        liveHeap,
      },
    };
    delay.reset();
    try {
      writeFileSync(file, JSON.stringify(sample));
    } catch {
      // The soak's directory is gone: it is over.
    }
  }, 1000).unref();
}
