/**
 * RC4 in WebAssembly (rc4.wat). One module instance serves every keystream: its memory holds
 * the state of the keystream that ran last (S, i, j), swapped with another's 258 bytes when a
 * different one runs, and a window the data is copied into and back out of.
 */
import { rc4KeySchedule } from './rc4-key-schedule.js';
import type { Rc4, Rc4Constructor } from './rc4.js';
import { RC4_WASM_BASE64 } from './rc4-wasm-binary.js';

const STATE_LENGTH = 258;
const DATA_OFFSET = 1024;

interface Rc4Exports {
  memory: { buffer: ArrayBuffer };
  crypt(length: number): void;
}

/** The little of WebAssembly's API used here (the project's lib has no DOM types, which declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

let loaded: { WasmRc4: Rc4Constructor | undefined } | undefined;

/** The WebAssembly RC4 (one per process), or undefined where WebAssembly cannot run (node --jitless). */
export function loadWasmRc4(): Rc4Constructor | undefined {
  loaded ??= { WasmRc4: instantiate() };
  return loaded.WasmRc4;
}

function instantiate(): Rc4Constructor | undefined {
  let exports: Rc4Exports;
  try {
    const { WebAssembly } = globalThis as unknown as { WebAssembly: WebAssemblyApi };
    const module = new WebAssembly.Module(Buffer.from(RC4_WASM_BASE64, 'base64'));
    exports = new WebAssembly.Instance(module).exports as Rc4Exports;
  } catch {
    return undefined;
  }
  const memory = new Uint8Array(exports.memory.buffer);
  const window = memory.length - DATA_OFFSET;
  const crypt = exports.crypt;
  let resident: WasmRc4 | undefined;

  class WasmRc4 implements Rc4 {
    /** S, i and j while another keystream is resident. */
    private readonly state = new Uint8Array(STATE_LENGTH);

    constructor(key: Uint8Array, discard = 1024) {
      this.state.set(rc4KeySchedule(key));
      if (discard > 0) this.update(new Uint8Array(discard));
    }

    update<T extends Uint8Array>(data: T, start = 0, end = data.length): T {
      return this.run(data, start, end, data);
    }

    encrypted(source: Uint8Array): Buffer {
      return this.run(source, 0, source.length, Buffer.allocUnsafe(source.length));
    }

    /** Copies `source[start, end)` through the module's window into `target` from `start`: one copy in, one out. */
    private run<T extends Uint8Array>(source: Uint8Array, start: number, end: number, target: T): T {
      if (resident !== this) {
        if (resident) resident.state.set(memory.subarray(0, STATE_LENGTH));
        memory.set(this.state, 0);
        resident = this;
      }
      for (let at = start; at < end; at += window) {
        const length = Math.min(window, end - at);
        memory.set(source.subarray(at, at + length), DATA_OFFSET);
        crypt(length);
        target.set(memory.subarray(DATA_OFFSET, DATA_OFFSET + length), at);
      }
      return target;
    }
  }
  return WasmRc4;
}
