/** A storage failure with a message fit for one status line, e.g. 'disk full writing name/a.bin'. */
export class StorageError extends Error {
  code?: string;
  /** The file involved, relative to the download directory. */
  file?: string;

  constructor(message: string, code?: string, file?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
    if (code !== undefined) this.code = code;
    if (file !== undefined) this.file = file;
  }
}

const REASONS: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOENT: 'missing data',
  ELOOP: 'refusing to follow a symlink',
  EISDIR: 'a directory is in the way',
  ENOTDIR: 'a file is in the way',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EIO: 'I/O error',
  EFBIG: 'file too large',
};

/** Turns a Node fs error into a StorageError naming the operation and the relative file. */
export function storageError(error: unknown, op: 'reading' | 'writing' | 'opening' | 'creating', file: string): StorageError {
  if (error instanceof StorageError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = code === 'ENOENT' && op !== 'reading' ? 'no such directory' : code ? REASONS[code] : undefined;
  const message = reason ? `${reason} ${op} ${file}` : `error ${op} ${file}: ${error instanceof Error ? error.message : String(error)}`;
  return new StorageError(message, code, file, { cause: error });
}
