import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Completion {
  /** The text with the longest unambiguous extension applied. */
  text: string;
  /** Names that still match (up to a few dozen), for showing the choice. */
  candidates: string[];
}

/**
 * Shell-like Tab completion of a path as typed: completes as far as it is unambiguous,
 * adds '/' after a directory, and lists the remaining choices.
 */
export async function completePath(typed: string, cwd = process.cwd()): Promise<Completion> {
  const slash = typed.lastIndexOf('/');
  const dirPart = slash >= 0 ? typed.slice(0, slash + 1) : '';
  const prefix = slash >= 0 ? typed.slice(slash + 1) : typed;
  let dir =
    dirPart === ''
      ? cwd
      : dirPart.startsWith('~/')
        ? join(homedir(), dirPart.slice(2))
        : dirPart.startsWith('/')
          ? dirPart
          : join(cwd, dirPart);
  if (dirPart === '~/') dir = homedir();
  let entries: { name: string; dir: boolean }[];
  try {
    const listed = await readdir(dir, { withFileTypes: true });
    entries = await Promise.all(
      listed.map(async (e) => ({
        name: e.name,
        dir:
          e.isDirectory() ||
          (e.isSymbolicLink() &&
            (await stat(join(dir, e.name)).then(
              (s) => s.isDirectory(),
              () => false,
            ))),
      })),
    );
  } catch {
    return { text: typed, candidates: [] };
  }
  const matches = entries
    .filter((e) => e.name.startsWith(prefix) && (prefix.startsWith('.') || !e.name.startsWith('.')))
    .sort((a, b) => a.name.localeCompare(b.name));
  if (matches.length === 0) return { text: typed, candidates: [] };
  if (matches.length === 1) {
    const only = matches[0]!;
    return { text: dirPart + only.name + (only.dir ? '/' : ''), candidates: [] };
  }
  let common = matches[0]!.name;
  for (const m of matches) {
    let i = 0;
    while (i < common.length && i < m.name.length && common[i] === m.name[i]) i++;
    common = common.slice(0, i);
  }
  return { text: dirPart + common, candidates: matches.slice(0, 40).map((m) => m.name + (m.dir ? '/' : '')) };
}
