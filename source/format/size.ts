const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** Binary-prefixed size: 0 B, 512 B, 1.5 KiB, 44 KiB, 1.50 GiB (three significant digits). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return String(bytes);
  if (bytes < 1024) return `${bytes} B`;
  let unit = 0;
  let value = bytes;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  // Whole values read better without a fraction: "16 KiB", not "16.00 KiB".
  const text = Number.isInteger(value) ? String(value) : value.toFixed(digits);
  return `${text} ${UNITS[unit]}`;
}

/** 1234567 -> "1,234,567". By hand: toLocaleString's first call loads ICU data (~8 ms). */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = '';
  for (let end = digits.length; end > 0; end -= 3) out = digits.slice(Math.max(0, end - 3), end) + (out ? `,${out}` : '');
  return n < 0 ? `-${out}` : out;
}
