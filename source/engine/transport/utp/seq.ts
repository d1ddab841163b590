/** 16-bit sequence number arithmetic (wrapping). */
export const SEQ_MASK = 0xffff;

export function seqAdd(a: number, n: number): number {
  return (a + n) & SEQ_MASK;
}

/** a - b as a signed distance in (-32768, 32768]. */
export function seqDiff(a: number, b: number): number {
  const d = (a - b) & SEQ_MASK;
  return d > 0x8000 ? d - 0x10000 : d;
}

export function seqLess(a: number, b: number): boolean {
  return seqDiff(a, b) < 0;
}
