/**
 * The MSE/PE Diffie-Hellman exchange: the spec's 768-bit prime, generator 2, 96-byte values.
 * BigInt arithmetic, not crypto.createDiffieHellman: Node checks the prime on every object it
 * makes, 20 ms a connection here against 0.8 ms for both exponentiations in BigInt.
 */
import { randomBytes } from 'node:crypto';

export const DH_LENGTH = 96;
const PRIME_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A63A36210000000000090563';
export const DH_PRIME = Buffer.from(PRIME_HEX, 'hex');
const PRIME = BigInt('0x' + PRIME_HEX);

export interface KeyPair {
  /** Our public value Y, 96 bytes big-endian. */
  publicKey: Buffer;
  /** S from the remote's Y; throws BadPublicKeyError on a value no honest peer sends (0, 1, P-1, >= P). */
  secret(remote: Buffer): Buffer;
}

export class BadPublicKeyError extends Error {}

/** A fresh key pair with a 160-bit private key (the spec's minimum: more costs time and buys nothing). */
export function makeKeyPair(): KeyPair {
  const x = toBigInt(randomBytes(20));
  return {
    publicKey: toBuffer(modPow(2n, x, PRIME)),
    secret(remote) {
      if (!isAcceptable(remote)) throw new BadPublicKeyError('bad Diffie-Hellman value');
      return toBuffer(modPow(toBigInt(remote), x, PRIME));
    },
  };
}

/** 1 < Y < P - 1: 0, 1 and P - 1 make the secret guessable; P and above are not group members. */
export function isAcceptable(y: Buffer): boolean {
  if (y.length !== DH_LENGTH) return false;
  const v = toBigInt(y);
  return v > 1n && v < PRIME - 1n;
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

function toBigInt(b: Buffer): bigint {
  return b.length === 0 ? 0n : BigInt('0x' + b.toString('hex'));
}

function toBuffer(v: bigint): Buffer {
  return Buffer.from(v.toString(16).padStart(DH_LENGTH * 2, '0'), 'hex');
}
