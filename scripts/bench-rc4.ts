/**
 * MSE/PE's ciphers alone: btui's RC4s (WebAssembly, the one used; TypeScript, the fallback)
 * against OpenSSL's (Node 20 has it only with --openssl-legacy-provider, so that one runs in a
 * child process started with the flag), and
 * one connection's Diffie-Hellman work in BigInt against crypto.createDiffieHellman.
 *
 *   node --import tsx scripts/bench-rc4.ts [--mib 1024]
 */
import { spawnSync } from 'node:child_process';
import { createCipheriv, createDiffieHellman, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DH_PRIME, makeKeyPair } from '../source/engine/transport/mse/dh.js';
import { TypeScriptRc4 } from '../source/engine/transport/mse/rc4-typescript.js';
import { loadWasmRc4 } from '../source/engine/transport/mse/rc4-wasm.js';
import type { Rc4Constructor } from '../source/engine/transport/mse/rc4.js';

const args = process.argv.slice(2);
const mib = Number(args[args.indexOf('--mib') + 1] || 1024);
const BLOCK = 16 * 1024;

/** MiB/s over the wall time and over the CPU time (on a loaded machine the CPU figure is the steadier one). */
function rate(times: { wallMs: number; cpuMs: number }): string {
  const perSecond = (ms: number) => (mib / (ms / 1000)).toFixed(0);
  return `${perSecond(times.wallMs)} MiB/s wall, ${perSecond(times.cpuMs)} MiB/s CPU`;
}

function timed(fn: () => void): { wallMs: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  fn();
  const used = process.cpuUsage(cpu);
  return { wallMs: Number(process.hrtime.bigint() - started) / 1e6, cpuMs: (used.user + used.system) / 1000 };
}

function time(fn: () => void): number {
  return timed(fn).wallMs;
}

const data = randomBytes(mib * 1024 * 1024);
const key = randomBytes(20);

if (args.includes('--openssl-only')) {
  const cipher = createCipheriv('rc4', key, null);
  cipher.update(Buffer.alloc(1024));
  const times = timed(() => {
    for (let at = 0; at < data.length; at += BLOCK) cipher.update(data.subarray(at, at + BLOCK));
  });
  console.log(`OpenSSL rc4 (legacy provider): ${rate(times)}`);
} else {
  const measure = (name: string, Rc4: Rc4Constructor) => {
    const rc4 = new Rc4(key);
    const times = timed(() => {
      for (let at = 0; at < data.length; at += BLOCK) rc4.update(data, at, at + BLOCK);
    });
    console.log(`${name} RC4, ${mib} MiB in 16 KiB blocks: ${rate(times)}`);
  };
  measure('WebAssembly', loadWasmRc4()!);
  measure('TypeScript', TypeScriptRc4);
  const child = spawnSync(
    process.execPath,
    ['--openssl-legacy-provider', '--import', 'tsx', fileURLToPath(import.meta.url), '--openssl-only', '--mib', String(mib)],
    { encoding: 'utf8' },
  );
  process.stdout.write(child.stdout || `OpenSSL rc4: unavailable (${child.stderr.trim().split('\n').pop()})\n`);
  const remote = makeKeyPair().publicKey;
  const n = 200;
  const bigint = time(() => {
    for (let i = 0; i < n; i++) makeKeyPair().secret(remote);
  });
  const node = time(() => {
    for (let i = 0; i < n; i++) {
      const dh = createDiffieHellman(DH_PRIME, 2);
      dh.generateKeys();
      dh.computeSecret(remote);
    }
  });
  console.log(
    `DH per connection (key pair + secret): BigInt ${(bigint / n).toFixed(2)} ms, crypto.createDiffieHellman ${(node / n).toFixed(2)} ms`,
  );
}
