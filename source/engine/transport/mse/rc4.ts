/**
 * RC4 for MSE/PE. OpenSSL's rc4 sits in its legacy provider, which Node 20 loads only with
 * --openssl-legacy-provider; a small WebAssembly module (rc4.wat) is faster than both OpenSSL's
 * and the TypeScript one (docs/benchmarks.md has the figures). The TypeScript one stays for
 * where WebAssembly is not (node --jitless), or when BTUI_RC4=typescript asks for it.
 */
import { TypeScriptRc4 } from './rc4-typescript.js';
import { loadWasmRc4 } from './rc4-wasm.js';

export interface Rc4 {
  /** XORs the next keystream bytes into `data[start, end)` in place and returns `data`. */
  update<T extends Uint8Array>(data: T, start?: number, end?: number): T;
  /** A new Buffer holding `source` with the next keystream bytes XORed in; `source` is left as it was. */
  encrypted(source: Uint8Array): Buffer;
}

export type Rc4Constructor = new (key: Uint8Array, discard?: number) => Rc4;

let chosen: Rc4Constructor | undefined;

/** Picked at the first use, so a command that never encrypts never compiles the module. */
function implementation(): Rc4Constructor {
  chosen ??= (process.env.BTUI_RC4 !== 'typescript' && loadWasmRc4()) || TypeScriptRc4;
  return chosen;
}

/** The RC4 in use: 'wasm' or 'typescript'. */
export function rc4Implementation(): 'wasm' | 'typescript' {
  return implementation() === TypeScriptRc4 ? 'typescript' : 'wasm';
}

/** An RC4 keystream for `key` with its first `discard` bytes dropped (MSE/PE drops 1024). */
export function createRc4(key: Uint8Array, discard = 1024): Rc4 {
  return new (implementation())(key, discard);
}
