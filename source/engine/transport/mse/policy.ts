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

/** What we pick from a remote's offer: RC4 whenever offered (the user asked for encryption); 0 = nothing acceptable. */
export function cryptoSelect(mode: EncryptionMode, provided: number): number {
  if (provided & CRYPTO_RC4) return CRYPTO_RC4;
  if (mode === 'prefer' && provided & CRYPTO_PLAINTEXT) return CRYPTO_PLAINTEXT;
  return 0;
}

export function isEncryptionMode(value: unknown): value is EncryptionMode {
  return typeof value === 'string' && (ENCRYPTION_MODES as readonly string[]).includes(value);
}
