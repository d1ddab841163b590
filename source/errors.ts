import { errorCodeWords, shortPath } from './format/error-words.js';

const USER_ERROR = Symbol.for('btui.UserError');

/** An error whose message is fit to show a user as one line; the CLI prints it without a stack. */
export class UserError extends Error {
  readonly [USER_ERROR] = true;

  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/**
 * The exit code for a thrown value: a UserError's own, anything else 1. Told by a mark rather
 * than instanceof: each bundle of the built CLI holds its own copy of the class.
 */
export function exitCodeFor(error: unknown): number {
  return typeof error === 'object' && error !== null && USER_ERROR in error ? (error as UserError).exitCode : 1;
}

/** Turns any thrown value into one readable line (no stack), system error codes in words. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const { code, path } = error as NodeJS.ErrnoException;
    const words = errorCodeWords(code);
    // Only Node's raw system messages ("EISDIR: illegal operation…", "connect ECONNREFUSED …"); ours already read well.
    if (words !== undefined && error.message.includes(code!)) {
      if (path) return `${words}: ${shortPath(path)}`;
      const { address, port } = error as { address?: string; port?: number };
      return address ? `${words} (${port ? `${address}:${port}` : address})` : words;
    }
    return error.message.split('\n')[0] ?? String(error);
  }
  return String(error);
}
