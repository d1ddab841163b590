import { open, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { syncDirectory } from './durable-file.js';
import type { SavedTorrent } from './session-file.js';

/**
 * session.journal: the changes since session.json was last written whole, one JSON record a
 * line, appended and synced before the change that made them is acknowledged. The first line
 * names the generation of the session.json it follows; a journal of another generation (left
 * by a crash between a compaction's rename and the journal's removal) is stale and not read.
 */
export type JournalRecord = { put: SavedTorrent } | { remove: string };

export const JOURNAL_VERSION = 1;

export function journalPathFor(sessionPath: string): string {
  return join(dirname(sessionPath), 'session.journal');
}

export function journalHeader(generation: string): string {
  return `${JSON.stringify({ journal: JOURNAL_VERSION, generation })}\n`;
}

export function journalLine(record: JournalRecord): string {
  return `${JSON.stringify(record)}\n`;
}

export interface ParsedJournal {
  /** The records as written, not yet checked field by field (session-file.ts does that). */
  records: ({ put: unknown } | { remove: string })[];
  /** Whether the journal follows another session.json than the one read (and so is not replayed). */
  stale: boolean;
  /** A last record cut short by a crash mid-append: left out, said in a few words. */
  torn?: string;
  /** Not a journal, or damaged before its last record: why. */
  unreadable?: string;
}

/**
 * Reads a journal's text for the session.json of `generation`. Only the last line may be
 * damaged (an append cut short); a damaged line before it makes the whole journal unreadable.
 */
export function parseJournal(text: string, generation: string | undefined): ParsedJournal {
  const lines = text.split('\n');
  // The text after the last line break: an append cut short, or nothing.
  const tail = lines.pop()!;
  let torn = tail === '' ? undefined : `a last record cut short (${Buffer.byteLength(tail)} bytes without a line end)`;
  if (lines.length === 0) return { records: [], stale: false, torn };
  let header: unknown;
  try {
    header = JSON.parse(lines[0]!);
  } catch {
    header = undefined;
  }
  const h = header as { journal?: unknown; generation?: unknown } | undefined;
  if (typeof h !== 'object' || h === null || h.journal !== JOURNAL_VERSION || typeof h.generation !== 'string')
    return { records: [], stale: false, unreadable: 'not a session journal (its first line is not a journal header)' };
  if (h.generation !== generation) return { records: [], stale: true };
  const records: ParsedJournal['records'] = [];
  for (let i = 1; i < lines.length; i++) {
    const record = parseRecord(lines[i]!);
    if (record) {
      records.push(record);
      continue;
    }
    // A damaged last line with its line end: a crash can leave that too (the line end written, not all before it).
    if (i === lines.length - 1 && torn === undefined) {
      torn = `a damaged last record (line ${i + 1})`;
      continue;
    }
    return { records: [], stale: false, unreadable: `damaged at line ${i + 1} of ${lines.length}` };
  }
  return { records, stale: false, torn };
}

function parseRecord(line: string): ParsedJournal['records'][number] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { put?: unknown; remove?: unknown };
  if (typeof v.remove === 'string') return { remove: v.remove };
  if (typeof v.put === 'object' && v.put !== null) return { put: v.put };
  return undefined;
}

/**
 * Appends records to the journal of one generation: created (with its header) on the first
 * append, synced after every append. Appends never overlap (the caller serialises them).
 */
export class JournalWriter {
  private file?: FileHandle;
  private position = 0;

  constructor(
    readonly path: string,
    readonly generation: string,
  ) {}

  /** Bytes in the journal so far (0 before the first append). */
  get bytes(): number {
    return this.position;
  }

  async append(records: readonly JournalRecord[]): Promise<void> {
    let text = records.map(journalLine).join('');
    const creating = !this.file;
    if (creating) {
      // 'w': a stale journal of an older generation is replaced, never appended to.
      this.file = await open(this.path, 'w');
      this.position = 0;
      text = journalHeader(this.generation) + text;
    }
    const bytes = Buffer.from(text);
    const { bytesWritten } = await this.file!.write(bytes, 0, bytes.length, this.position);
    if (bytesWritten !== bytes.length) throw new Error(`short write of ${this.path}: ${bytesWritten} of ${bytes.length} bytes`);
    this.position += bytes.length;
    await this.file!.datasync();
    if (creating) await syncDirectory(dirname(this.path));
  }

  async close(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    await file?.close();
  }
}
