/** System error codes in words, for messages a user reads ("ENAMETOOLONG" means little to most). */
const WORDS: Record<string, string> = {
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  ENOENT: 'no such file',
  ENAMETOOLONG: 'name too long',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'disk full',
  EMFILE: 'too many open files',
  EEXIST: 'already exists',
  ELOOP: 'too many symbolic links',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'name lookup failed (DNS)',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ERR_INVALID_URL: 'not a valid URL',
  UND_ERR_CONNECT_TIMEOUT: 'timed out connecting',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for an answer',
};

export function errorCodeWords(code: string | undefined): string | undefined {
  return code === undefined ? undefined : WORDS[code];
}

/** A path shortened for one line: its start and its end. */
export function shortPath(path: string, max = 60): string {
  return path.length <= max ? path : `${path.slice(0, Math.floor(max / 2) - 1)}…${path.slice(-Math.ceil(max / 2))}`;
}
