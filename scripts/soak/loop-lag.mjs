// Preloaded into a soak's daemon (`node --import`): every second, the event loop's delay over that
// second (median, 99th percentile, max, in ms) written to BTUI_SOAK_LOOP_LAG_FILE for the soak to read.
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.BTUI_SOAK_LOOP_LAG_FILE;
if (file) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const ms = (ns) => Math.round(ns / 1e5) / 10;
  setInterval(() => {
    const window = { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) };
    delay.reset();
    try {
      writeFileSync(file, JSON.stringify(window));
    } catch {
      // The soak's directory is gone: it is over.
    }
  }, 1000).unref();
}
