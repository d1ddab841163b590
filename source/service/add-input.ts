import { homedir } from 'node:os';
import { resolve } from 'node:path';

export type AddInput =
  | { kind: 'magnet'; value: string }
  | { kind: 'infohash'; value: string }
  | { kind: 'url'; value: string }
  | { kind: 'file'; value: string }
  | { kind: 'empty' };

/** What the user typed at the add prompt: a magnet, a bare info-hash, an http(s) URL or a path. */
export function classifyAddInput(text: string, cwd = process.cwd()): AddInput {
  const value = text.trim();
  if (value === '') return { kind: 'empty' };
  if (/^magnet:/i.test(value)) return { kind: 'magnet', value };
  if (/^[0-9a-f]{40}$/i.test(value) || /^[a-z2-7]{32}$/i.test(value)) return { kind: 'infohash', value };
  if (/^https?:\/\//i.test(value)) return { kind: 'url', value };
  return { kind: 'file', value: expandPath(value, cwd) };
}

export function expandPath(path: string, cwd = process.cwd()): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return resolve(homedir(), path.slice(2));
  return resolve(cwd, path);
}
