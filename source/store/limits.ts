const KIB = 1024;
const MIB = 1024 * 1024;

/** The steps [ ] { } move a global limit through; 0 (unlimited) sits above the top. */
export const LIMIT_STEPS = [
  16 * KIB,
  32 * KIB,
  64 * KIB,
  128 * KIB,
  256 * KIB,
  512 * KIB,
  MIB,
  2 * MIB,
  4 * MIB,
  8 * MIB,
  16 * MIB,
  32 * MIB,
  64 * MIB,
  128 * MIB,
];

/**
 * The next limit one step up or down. Lowering "unlimited" starts just under the rate now
 * in use (what a user reaching for the key wants to cut), or at 1 MiB/s when idle.
 */
export function nextLimit(current: number, direction: 'up' | 'down', currentRate = 0): number {
  if (current <= 0) {
    if (direction === 'up') return 0;
    const below = LIMIT_STEPS.filter((s) => s < Math.max(currentRate, MIB + 1));
    return below[below.length - 1] ?? LIMIT_STEPS[0]!;
  }
  if (direction === 'up') {
    const next = LIMIT_STEPS.find((s) => s > current);
    return next ?? 0;
  }
  const lower = LIMIT_STEPS.filter((s) => s < current);
  return lower[lower.length - 1] ?? LIMIT_STEPS[0]!;
}
