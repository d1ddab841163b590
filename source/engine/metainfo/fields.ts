/**
 * Readers of bencoded fields: a wrong type or value becomes a MetainfoError, or a FileProblem
 * for a caller that adds which file it was.
 */
import { isBytes, isInt, type BDict, type BValue } from '../codec/bencode.js';
import { MetainfoError } from './types.js';

/** Problem with one file entry; the caller adds which file. */
export class FileProblem extends Error {}

/** Throws FileProblem (the caller names the file) for a bad length. */
export function checkLength(value: BValue | undefined, label: string): number {
  if (value === undefined) throw new FileProblem(`${label} is missing`);
  if (!isInt(value)) throw new FileProblem(`${label} is not an integer`);
  if (value < 0) throw new FileProblem(`${label} ${value} is negative`);
  if (typeof value === 'bigint' || value > Number.MAX_SAFE_INTEGER) throw new FileProblem(`${label} ${value} is too large`);
  return value;
}

export function checkedLength(value: BValue | undefined, label: string): number {
  try {
    return checkLength(value, label);
  } catch (error) {
    if (error instanceof FileProblem) throw new MetainfoError(error.message);
    throw error;
  }
}

export function requiredInt(dict: BDict, key: string, where: string): number {
  const value = dict.get(key);
  if (value === undefined) throw new MetainfoError(`missing '${key}' in ${where}`);
  if (!isInt(value)) throw new MetainfoError(`'${key}' is not an integer`);
  if (typeof value === 'bigint') throw new MetainfoError(`'${key}' ${value} is out of range`);
  return value;
}

export function optionalInt(dict: BDict, key: string, where: string): number | undefined {
  return dict.has(key) ? requiredInt(dict, key, where) : undefined;
}

/** A text field of the info dict: wrong type is an error; a usable `KEY.utf-8` wins. */
export function utf8Field(dict: BDict, key: string, where: string): string | undefined {
  const preferred = dict.get(`${key}.utf-8`);
  const value = isBytes(preferred) ? preferred : dict.get(key);
  if (value === undefined) return undefined;
  if (!isBytes(value)) throw new MetainfoError(`'${key}' in ${where} is not a byte string`);
  return utf8(value);
}

export function tolerantText(dict: BDict, key: string): string | undefined {
  const value = dict.get(key);
  return isBytes(value) ? utf8(value) : undefined;
}

// ignoreBOM keeps a leading U+FEFF: a name is bytes, not a document.
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

export function utf8(bytes: Uint8Array): string {
  return UTF8.decode(bytes);
}

export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A dictionary key (bytes held as latin1) read as UTF-8 text; ASCII needs no conversion. */
export function latin1ToUtf8(key: string): string {
  return /^[\x00-\x7f]*$/.test(key) ? key : Buffer.from(key, 'latin1').toString('utf8');
}
