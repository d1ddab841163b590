/**
 * Loads one of the built CLI's CommonJS bundles (distribution/command-NAME.js) with the V8 code
 * cache the build saved beside it (NAME.js.cache), when there is one and this V8 accepts it.
 * Node 20 has no compile cache of its own (module.enableCompileCache is Node 22), and a
 * one-shot command spends a good part of its few tens of ms compiling: `btui metainfo` on
 * 10,000 files ran about 5 ms faster with the cache.
 *
 * The build writes the caches by running a few offline commands with BTUI_WRITE_CODE_CACHE=1
 * (scripts/build.mjs). A cache from another Node or V8 flags (--cpu-prof, --inspect), or a
 * damaged one, is rejected by V8 itself, and the bundle is then compiled from source as usual.
 * V8 tells sources apart only by their length, though: each cache starts with the size and
 * modification time of the bundle it was made from, and is used only for that very file.
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

export interface CompiledBundle {
  script: Script;
  /** undefined: there was no cache for this very file. */
  cacheRejected: boolean | undefined;
}

const STAMP_BYTES = 16;

/** 8 bytes of size, 8 of modification time in ns: the bundle a cache belongs to. */
export function bundleStamp(file: string): Buffer {
  const { size, mtimeNs } = statSync(file, { bigint: true });
  const stamp = Buffer.alloc(STAMP_BYTES);
  stamp.writeBigUInt64LE(size, 0);
  stamp.writeBigUInt64LE(mtimeNs, 8);
  return stamp;
}

export function compileBundle(file: string): CompiledBundle {
  const source = readFileSync(file, 'utf8');
  let cachedData: Buffer | undefined;
  try {
    const cache = readFileSync(`${file}.cache`);
    if (cache.subarray(0, STAMP_BYTES).equals(bundleStamp(file))) cachedData = cache.subarray(STAMP_BYTES);
  } catch {
    // No cache: compiled from source.
  }
  // Node's own CommonJS wrapper, on one line so that line numbers in stacks stay the file's.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, {
    filename: file,
    // No import() in here: Node 20 drops its hook for code from a cache (see esm-import.ts).
    cachedData,
  });
  return { script, cacheRejected: cachedData === undefined ? undefined : script.cachedDataRejected === true };
}

function writeCache(file: string, script: Script): void {
  const partial = `${file}.cache.${process.pid}`;
  try {
    writeFileSync(partial, Buffer.concat([bundleStamp(file), script.createCachedData()]));
    renameSync(partial, `${file}.cache`);
  } finally {
    rmSync(partial, { force: true });
  }
}

/**
 * `cacheWhenLoaded`: when this file has no cache V8 accepts, one is written as soon as the bundle
 * has been evaluated (the TUI, which the build cannot run without a terminal: its first run makes
 * the cache the next ones start with). Made then, it holds the top level only: measured on the
 * TUI, such a cache saved ~60 ms of CPU before the first frame, while one made at exit (with every
 * function the session compiled) cost more to load than it saved. Best effort: a read-only
 * install simply runs without one.
 */
export function requireBundle(file: string, options: { cacheWhenLoaded?: boolean } = {}): unknown {
  const { script, cacheRejected } = compileBundle(file);
  // Not under V8 or Node flags (--cpu-prof, --inspect...): V8 would reject that cache in a plain run, which would write its own again.
  const plainNode = process.execArgv.length === 0 && !process.env.NODE_OPTIONS;
  const cacheNow = options.cacheWhenLoaded === true && plainNode && cacheRejected !== false && process.env.BTUI_WRITE_CODE_CACHE !== '1';
  if (process.env.BTUI_WRITE_CODE_CACHE === '1') {
    // At exit: the cache then holds every function this run compiled, not only the top level.
    process.once('exit', () => writeCache(file, script));
  }
  const module = { exports: {} as unknown };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  if (cacheNow) {
    try {
      writeCache(file, script);
    } catch {
      // Not writable (a system-wide install): started without a cache, as before.
    }
  }
  return module.exports;
}
