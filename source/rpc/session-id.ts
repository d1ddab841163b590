// The X-Transmission-Session-Id: a random token a client must echo, which stops a web page from
// posting to the RPC through the user's browser (CSRF). Like transmission-daemon 3.00, a new one
// is made when the old one is an hour old; clients get it from the next 409 answer.
import { randomBytes } from 'node:crypto';

export const SESSION_ID_LIFETIME_MS = 60 * 60 * 1000;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 48 characters from [A-Za-z0-9], as Transmission's. */
export function newSessionId(): string {
  const bytes = randomBytes(48);
  let id = '';
  // 256 % 62 != 0 leaves a slight bias; harmless for a CSRF token of 285 bits.
  for (const b of bytes) id += ALPHABET[b % ALPHABET.length];
  return id;
}

export class SessionIds {
  #id = newSessionId();
  #madeAt: number;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly lifetimeMs: number = SESSION_ID_LIFETIME_MS,
  ) {
    this.#madeAt = now();
  }

  /** The id in force, renewed first when it has expired. */
  current(): string {
    const t = this.now();
    if (t - this.#madeAt >= this.lifetimeMs) {
      this.#id = newSessionId();
      this.#madeAt = t;
    }
    return this.#id;
  }

  /** Whether a request's header carries the id in force. */
  matches(header: string | string[] | undefined): boolean {
    return typeof header === 'string' && header === this.current();
  }
}
