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

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
const WINDOWS_BAD_CHARS = /[<>:"|?*\u0000-\u001f]/;

/** Why a single component is unsafe, or undefined when it is fine. */
export function unsafeComponentReason(component: string, windows: boolean): string | undefined {
  if (component.length === 0) return 'empty component';
  if (component === '.' || component === '..') return `'${component}' component`;
  if (component.includes('/')) return "'/' inside a component";
  if (component.includes('\\')) return "'\\' inside a component";
  if (component.includes('\0')) return 'NUL byte in a component';
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
    if (reason) throw new UnsafePathError(`unsafe path ${JSON.stringify(components.join('/'))}: ${reason}`);
  }
  return components;
}
