/** RC4's key schedule: the permutation S for `key`. */
export function rc4KeySchedule(key: Uint8Array): Uint8Array {
  const s = new Uint8Array(256);
  for (let k = 0; k < 256; k++) s[k] = k;
  let j = 0;
  for (let k = 0; k < 256; k++) {
    j = (j + s[k]! + key[k % key.length]!) & 0xff;
    const t = s[k]!;
    s[k] = s[j]!;
    s[j] = t;
  }
  return s;
}
