const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** Binary-prefixed size: 0 B, 512 B, 1.5 KiB, 44 KiB, 1.50 GiB (three significant digits). */
export function formatBytes(bytes: number): string {
  // A file's usual size first, in as few calls as can be (a tree of 10,000 files asks for one
  // each, in V8's interpreter): a whole number of bytes from 1 KiB to below 16 MiB.
  if (bytes >= 1024 && bytes < SHIFTED && (bytes | 0) === bytes) return shiftedBytes(bytes);
  if (!Number.isFinite(bytes) || bytes < 0) return String(bytes);
  if (bytes < 1024) return Number.isInteger(bytes) ? (SMALL[bytes] ??= `${bytes} B`) : `${bytes} B`;
  if (Number.isSafeInteger(bytes) && bytes <= MAX_EXACT) return wholeBytes(bytes);
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

/** Up to here bytes * 100 is still exact in a double (and so is every step of wholeBytes). */
const MAX_EXACT = Math.floor(Number.MAX_SAFE_INTEGER / 100);

/**
 * Every text wholeBytes made, kept: there are few (three digits and a unit), and a tree of
 * 10,000 files asks for one per line, each of which would otherwise be a new string (and the
 * pieces it was put together from) that lives until the tree is written.
 */
const SMALL: string[] = [];
const MADE: string[][] = [];
/** Kinds of text per unit: exact whole, or rounded to 0, 1 or 2 decimals. */
const EXACT = 3;

/**
 * formatBytes of a whole number of bytes in integer arithmetic: the same text as toFixed, which
 * rounds the exact quotient half up, at a fraction of its cost (a tree of 10,000 files makes
 * one per file, and toFixed was a fifth of that tree's time).
 */
function wholeBytes(bytes: number): string {
  if (bytes < SHIFTED) return shiftedBytes(bytes);
  let unit = 1;
  let divisor = 1024;
  while (bytes >= divisor * 1024 && unit < UNITS.length - 1) {
    divisor *= 1024;
    unit++;
  }
  const whole = Math.floor(bytes / divisor);
  const rest = bytes - whole * divisor;
  if (rest === 0) return made(unit, EXACT, whole);
  const digits = whole >= 100 ? 0 : whole >= 10 ? 1 : 2;
  const scale = digits === 0 ? 1 : digits === 1 ? 10 : 100;
  // bytes / divisor to `digits` places, the exact remainder deciding the last one (half up).
  const scaled = bytes * scale;
  let n = Math.floor(scaled / divisor);
  if (2 * (scaled - n * divisor) >= divisor) n++;
  return made(unit, digits, n);
}

/** Below this, bytes * 100 is a 31-bit integer: wholeBytes' arithmetic in shifts. */
const SHIFTED = 2 ** 24;

/**
 * wholeBytes of bytes below SHIFTED (KiB or MiB) in small-integer arithmetic only: in V8's
 * interpreter, where one-shot code runs, each division's fraction is a new heap number.
 */
function shiftedBytes(bytes: number): string {
  const shift = bytes < 2 ** 20 ? 10 : 20;
  const unit = shift === 10 ? 1 : 2;
  const whole = bytes >> shift;
  if (bytes - (whole << shift) === 0) return made(unit, EXACT, whole);
  const digits = whole >= 100 ? 0 : whole >= 10 ? 1 : 2;
  const scaled = bytes * (digits === 0 ? 1 : digits === 1 ? 10 : 100);
  let n = scaled >> shift;
  if (2 * (scaled - (n << shift)) >= 1 << shift) n++;
  // made(), inlined: n is at most 1024 here.
  const texts = (MADE[unit * 4 + digits] ??= new Array<string>(1025));
  return (texts[n] ??= scaledText(unit, digits, n));
}

/** The text of `n` (the value times 10^digits; below 1025 but in the last unit) in `unit`, made once. */
function made(unit: number, digits: number, n: number): string {
  if (n > 1024) return scaledText(unit, digits, n);
  const texts = (MADE[unit * 4 + digits] ??= new Array<string>(1025));
  return (texts[n] ??= scaledText(unit, digits, n));
}

function scaledText(unit: number, digits: number, n: number): string {
  if (digits === 0 || digits === EXACT) return `${n} ${UNITS[unit]}`;
  const scale = digits === 1 ? 10 : 100;
  const integer = Math.floor(n / scale);
  const fraction = n - integer * scale;
  return `${integer}.${digits === 2 && fraction < 10 ? '0' : ''}${fraction} ${UNITS[unit]}`;
}

/** 1234567 -> "1,234,567". By hand: toLocaleString's first call loads ICU data (~8 ms). */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = '';
  for (let end = digits.length; end > 0; end -= 3) out = digits.slice(Math.max(0, end - 3), end) + (out ? `,${out}` : '');
  return n < 0 ? `-${out}` : out;
}
