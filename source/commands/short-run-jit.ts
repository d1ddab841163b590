/**
 * V8 hands a function to its optimizing compiler (TurboFan) once it has used up its interrupt
 * budget (a count of bytecode executed, 66 KiB by default). A `download` of a few hundred MiB
 * lasts seconds: in a swarm leecher TurboFan compiled ~110 functions, 13-15% of the process's
 * CPU (perf, docs/benchmarks.md "the swarm, session 12"), and much of that was for functions
 * too little used to pay it back. With 4x the budget only the hotter ones are compiled, a little
 * later; a swarm leecher's CPU fell ~5-7%. Set after the command's bundle is compiled, so its
 * code cache still matches (V8's flag hash is checked when a cache is loaded), and not while
 * the build writes that cache, which would then carry this flag and be rejected by every run.
 */
import { setFlagsFromString } from 'node:v8';

const DEFAULT_INTERRUPT_BUDGET = 66 * 1024;

export function tuneJitForShortRun(): void {
  if (process.env.BTUI_WRITE_CODE_CACHE === '1') return;
  setFlagsFromString(`--interrupt-budget=${4 * DEFAULT_INTERRUPT_BUDGET}`);
}
