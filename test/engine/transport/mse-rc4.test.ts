/** RC4 for MSE/PE: both implementations against RFC 6229's vectors, and the WebAssembly one against the TypeScript one. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createRc4, rc4Implementation, type Rc4Constructor } from '../../../source/engine/transport/mse/rc4.js';
import { TypeScriptRc4 } from '../../../source/engine/transport/mse/rc4-typescript.js';
import { loadWasmRc4 } from '../../../source/engine/transport/mse/rc4-wasm.js';

const WasmRc4 = loadWasmRc4();

/** RFC 6229 section 2: keystream bytes at these offsets for these keys. */
const RFC_6229: Record<string, Record<number, string>> = {
  '0102030405': {
    0: 'b2396305f03dc027ccc3524a0a1118a8',
    16: '6982944f18fc82d589c403a47a0d0919',
    1008: '45129048e6a0ed0b56b490338f078da5',
    1024: '30abbcc7c20b01609f23ee2d5f6bb7df',
    1520: '3294f744d8f9790507e70f62e5bbceea',
    4080: '068326a2118416d21f9d04b2cd1ca050',
    4096: 'ff25b58995996707e51fbdf08b34d875',
  },
  '0102030405060708': {
    0: '97ab8a1bf0afb96132f2f67258da15a8',
    16: '8263efdb45c4a18684ef87e6b19e5b09',
    1024: 'c6d0e7b226259fa9023490b26167ad1d',
    4096: '3fb46e2c8f0f068edce8cdcd7dfc5862',
  },
  '0102030405060708090a0b0c0d0e0f10': {
    0: '9ac7cc9a609d1ef7b2932899cde41b97',
    16: '5248c4959014126a6e8a84f11d1a9e1c',
    1024: 'bdf0324e6083dcc6d3cedd3ca8c53c16',
    4096: 'a36a4c301ae8ac13610ccbc12256cacc',
  },
};

const implementations: [string, Rc4Constructor | undefined][] = [
  ['TypeScript', TypeScriptRc4],
  ['WebAssembly', WasmRc4],
];

test('the WebAssembly RC4 loads here and is the one MSE/PE uses', () => {
  assert.ok(WasmRc4);
  assert.equal(rc4Implementation(), 'wasm');
  assert.ok(createRc4(randomBytes(20)) instanceof WasmRc4);
});

for (const [name, Rc4] of implementations) {
  test(`${name} RC4 matches RFC 6229, whole and from offset 1024 after the MSE/PE discard`, () => {
    for (const [keyHex, vectors] of Object.entries(RFC_6229)) {
      const key = Buffer.from(keyHex, 'hex');
      const keystream = new Rc4!(key, 0).update(Buffer.alloc(4112));
      for (const [offset, hex] of Object.entries(vectors)) {
        assert.equal(keystream.subarray(Number(offset), Number(offset) + 16).toString('hex'), hex, `key ${keyHex} at ${offset}`);
      }
      // The default discard is MSE/PE's 1024: the first byte out is the RFC's byte 1024.
      assert.equal(new Rc4!(key).update(Buffer.alloc(16)).toString('hex'), vectors[1024]);
    }
    assert.equal(new Rc4!(Buffer.from('Key'), 0).update(Buffer.from('Plaintext')).toString('hex'), 'bbf316e8d940af0ad3');
  });
}

test('WebAssembly RC4 equals the TypeScript one on random data cut at random places, two keystreams interleaved', () => {
  for (let round = 0; round < 20; round++) {
    const keys = [randomBytes(randomInt(1, 64)), randomBytes(20)];
    const data = randomBytes(randomInt(1, 700_000));
    const expected = keys.map((key) => new TypeScriptRc4(key).update(Buffer.from(data)));
    const outs = keys.map(() => Buffer.from(data));
    const streams = keys.map((key) => new WasmRc4!(key));
    const at = [0, 0];
    // Cuts of 0-9 bytes (the word loop's tail) and of up to 600 KB (past the module's data window).
    while (at[0]! < data.length || at[1]! < data.length) {
      const which = randomInt(2);
      const length = randomInt(3) === 0 ? randomInt(10) : randomInt(600_000);
      const end = Math.min(data.length, at[which]! + length);
      streams[which]!.update(outs[which]!, at[which], end);
      at[which] = end;
    }
    for (const which of [0, 1]) assert.ok(outs[which]!.equals(expected[which]!), `round ${round}, keystream ${which}`);
  }
});

test('update touches only data[start, end); encrypted leaves its source as it was', () => {
  for (const [, Rc4] of implementations) {
    const data = randomBytes(64);
    const out = new Rc4!(randomBytes(20)).update(Buffer.from(data), 5, 50);
    assert.ok(out.subarray(0, 5).equals(data.subarray(0, 5)));
    assert.ok(out.subarray(50).equals(data.subarray(50)));
    assert.ok(!out.subarray(5, 50).equals(data.subarray(5, 50)));
    const key = randomBytes(20);
    const source = randomBytes(300_000);
    const copy = Buffer.from(source);
    const encrypted = new Rc4!(key).encrypted(source);
    assert.ok(source.equals(copy));
    assert.ok(encrypted.equals(new TypeScriptRc4(key).update(Buffer.from(source))));
  }
});

test('without WebAssembly (node --jitless) the TypeScript RC4 is used', () => {
  const rc4Module = fileURLToPath(new URL('../../../source/engine/transport/mse/rc4.ts', import.meta.url));
  const script = `const m = await import(${JSON.stringify(rc4Module)}); console.log(m.rc4Implementation(), m.createRc4(Buffer.from('Key'), 0).update(Buffer.from('Plaintext')).toString('hex'));`;
  const child = spawnSync(process.execPath, ['--jitless', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), 'typescript bbf316e8d940af0ad3');
});
