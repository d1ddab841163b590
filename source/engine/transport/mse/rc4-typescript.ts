import { rc4KeySchedule } from './rc4-key-schedule.js';
import type { Rc4 } from './rc4.js';

/** RC4 in TypeScript: the fallback where WebAssembly is not, and the reference the tests hold the other to. */
export class TypeScriptRc4 implements Rc4 {
  private readonly s: Uint8Array;
  private i = 0;
  private j = 0;

  constructor(key: Uint8Array, discard = 1024) {
    this.s = rc4KeySchedule(key);
    if (discard > 0) this.update(new Uint8Array(discard));
  }

  update<T extends Uint8Array>(data: T, start = 0, end = data.length): T {
    const s = this.s;
    let i = this.i;
    let j = this.j;
    for (let k = start; k < end; k++) {
      i = (i + 1) & 0xff;
      const si = s[i]!;
      j = (j + si) & 0xff;
      const sj = s[j]!;
      s[i] = sj;
      s[j] = si;
      data[k]! ^= s[(si + sj) & 0xff]!;
    }
    this.i = i;
    this.j = j;
    return data;
  }

  encrypted(source: Uint8Array): Buffer {
    return this.update(Buffer.from(source));
  }
}
