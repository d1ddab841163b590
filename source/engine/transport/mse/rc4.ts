/**
 * RC4 in TypeScript. OpenSSL's rc4 sits in its legacy provider, which Node 20 loads only with
 * --openssl-legacy-provider; this keystream is as fast here (docs/benchmarks.md has the figures).
 */
export class Rc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;

  /** MSE/PE discards the first 1024 bytes of every keystream. */
  constructor(key: Uint8Array, discard = 1024) {
    const s = this.s;
    for (let k = 0; k < 256; k++) s[k] = k;
    let j = 0;
    for (let k = 0; k < 256; k++) {
      j = (j + s[k]! + key[k % key.length]!) & 0xff;
      const t = s[k]!;
      s[k] = s[j]!;
      s[j] = t;
    }
    if (discard > 0) this.update(new Uint8Array(discard));
  }

  /** XORs the keystream into `data[start, end)` in place and returns `data`. */
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
}
