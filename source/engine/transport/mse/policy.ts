/** Which connections speak MSE/PE, and what each end offers and picks. */
export type EncryptionMode = 'plaintext' | 'prefer' | 'require';
export const ENCRYPTION_MODES: readonly EncryptionMode[] = ['plaintext', 'prefer', 'require'];

/** crypto_provide / crypto_select bits. */
export const CRYPTO_PLAINTEXT = 1;
export const CRYPTO_RC4 = 2;

/** What we offer when we dial: `require` only RC4; `prefer` both (the remote picks). */
export function cryptoProvide(mode: EncryptionMode): number {
  return mode === 'require' ? CRYPTO_RC4 : CRYPTO_RC4 | CRYPTO_PLAINTEXT;
}

/**
 * What we pick from a remote's offer; 0 = nothing acceptable. `require`: RC4 only. `prefer`:
 * plaintext when the remote offers both, RC4 when that is all it takes, as libtorrent's default
 * does (prefer_rc4 off). The handshake is obfuscated either way; RC4 over the whole payload costs
 * ~3.7 s of CPU per GiB here (docs/benchmarks.md), which a peer that does not insist is spared.
 */
export function cryptoSelect(mode: EncryptionMode, provided: number): number {
  if (mode === 'prefer' && provided & CRYPTO_PLAINTEXT) return CRYPTO_PLAINTEXT;
  if (provided & CRYPTO_RC4) return CRYPTO_RC4;
  return 0;
}

export function isEncryptionMode(value: unknown): value is EncryptionMode {
  return typeof value === 'string' && (ENCRYPTION_MODES as readonly string[]).includes(value);
}
