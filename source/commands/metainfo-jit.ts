/**
 * `metainfo -t` of a torrent of a few hundred KB is over in tens of ms, most of it in V8's
 * interpreter and baseline code; the optimizing compiler (TurboFan) starts on its hot loops
 * (the parse of the `files` list, the tree's rows) when they are half done, and its code comes
 * too late to pay for compiling it, on a machine whose cores are busy (docs/benchmarks.md,
 * "metainfo on 10,000 files, session 13": 10,000 files, 526 KB, -50 to -90 ms of CPU). From
 * a few MB on (100,000 files), optimized code pays again: it stays on there.
 *
 * Set after the command's bundle is compiled, so its code cache still matches (V8 checks a
 * hash of its flags when it loads a cache), and never while the build writes that cache.
 */
import { statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

/** Up to this size, a torrent's summary runs without TurboFan. */
const INTERPRETED_UP_TO = 1024 * 1024;

export function tuneJitForSummary(torrentPath: string): void {
  if (process.env.BTUI_WRITE_CODE_CACHE === '1') return;
  let size: number;
  try {
    size = statSync(torrentPath).size;
  } catch {
    return; // reading it reports the problem
  }
  // The young generation keeps V8's own growth: growing it to its largest at the first collection
  // (--semi-space-growth-factor=16) saved one collection but cost ~12 ms here, in fresh pages
  // (docs/benchmarks.md, "metainfo on 10,000 files, session 17").
  if (size <= INTERPRETED_UP_TO) setFlagsFromString('--no-opt');
}
