/** An error whose message is fit to show a user as one line; the CLI prints it without a stack. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'UserError';
  }
}

/** Turns any thrown value into one readable line (no stack). */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && (error as NodeJS.ErrnoException).path) return `no such file: ${(error as NodeJS.ErrnoException).path}`;
    if (code === 'EACCES' && (error as NodeJS.ErrnoException).path) return `permission denied: ${(error as NodeJS.ErrnoException).path}`;
    if (code === 'EISDIR' && (error as NodeJS.ErrnoException).path) return `is a directory: ${(error as NodeJS.ErrnoException).path}`;
    return error.message.split('\n')[0] ?? String(error);
  }
  return String(error);
}
