/**
 * Path components from a torrent are hostile input: they become file names under the
 * download directory. Unsafe components are rejected, never silently rewritten, so what
 * lands on disk is exactly what the torrent names (or nothing at all).
 */

export class UnsafePathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafePathError';
  }
}

export interface SafePathOptions {
  /**
   * Also apply Windows' rules (reserved device names like CON or aux.c, trailing dots and
   * spaces, the characters <>:"|?*). Defaults to the running platform: on Linux a file
   * named aux.c is ordinary (the Linux kernel sources have several), so rejecting it
   * everywhere would refuse real torrents.
   */
  windows?: boolean;
}

/** NAME_MAX of ext4, XFS, btrfs and most others: longer names cannot be created. */
export const MAX_COMPONENT_BYTES = 255;
/** PATH_MAX less the terminating NUL: a longer relative path can never be opened. */
export const MAX_PATH_BYTES = 4095;

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
const WINDOWS_BAD_CHARS = /[<>:"|?*\u0000-\u001f]/;

/** Why a single component is unsafe, or undefined when it is fine. */
export function unsafeComponentReason(component: string, windows: boolean): string | undefined {
  if (component.length === 0) return 'empty component';
  if (component === '.' || component === '..') return `'${component}' component`;
  if (component.includes('/')) return "'/' inside a component";
  if (component.includes('\\')) return "'\\' inside a component";
  if (component.includes('\0')) return 'NUL byte in a component';
  // A UTF-16 unit is at most 3 UTF-8 bytes, so short names skip the byte count.
  if (component.length * 3 > MAX_COMPONENT_BYTES && Buffer.byteLength(component) > MAX_COMPONENT_BYTES) {
    return `a component longer than ${MAX_COMPONENT_BYTES} bytes`;
  }
  if (windows) {
    const quoted = JSON.stringify(component);
    if (WINDOWS_RESERVED.test(component)) return `${quoted} is a reserved name on Windows`;
    if (WINDOWS_BAD_CHARS.test(component)) return `${quoted} has a character Windows does not allow`;
    if (component.endsWith('.') || component.endsWith(' ')) return `${quoted} ends in a dot or space`;
  }
  return undefined;
}

/**
 * Checks each component of a relative path and returns them unchanged, or throws
 * UnsafePathError naming the first problem. An empty list is rejected too: a file needs
 * a name.
 */
export function safePathComponents(components: string[], options: SafePathOptions = {}): string[] {
  const windows = options.windows ?? process.platform === 'win32';
  if (components.length === 0) throw new UnsafePathError('empty path');
  for (const component of components) {
    const reason = unsafeComponentReason(component, windows);
    if (reason) throw new UnsafePathError(`unsafe path ${quotePath(components.join('/'))}: ${reason}`);
  }
  const bytes = pathBytes(components);
  if (bytes > MAX_PATH_BYTES)
    throw new UnsafePathError(`unsafe path ${quotePath(components.join('/'))}: ${bytes} bytes long, more than ${MAX_PATH_BYTES}`);
  return components;
}

/** UTF-8 length of the components joined with '/'. */
export function pathBytes(components: readonly string[]): number {
  let n = components.length - 1;
  for (const c of components) n += Buffer.byteLength(c);
  return n;
}

/** A path for an error message: JSON-quoted, and cut short so one hostile name cannot flood a line. */
export function quotePath(path: string): string {
  return JSON.stringify(path.length > 120 ? `${path.slice(0, 60)}…${path.slice(-40)}` : path);
}
