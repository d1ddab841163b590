import type { TorrentRow } from './types.js';

/** The built-in views; then one per host when there are several (`host:NAME`); then one per label in use (`label:NAME`). */
export const VIEWS = ['all', 'downloading', 'seeding', 'paused', 'complete', 'active', 'error'] as const;
export type BuiltinView = (typeof VIEWS)[number];
export type LabelView = `label:${string}`;
export type HostView = `host:${string}`;
export type View = BuiltinView | LabelView | HostView;

/** What the Host column and a host's view call a row's host: the in-process session is 'local'. */
export const hostName = (row: Pick<TorrentRow, 'host'>): string => row.host ?? 'local';
export const hostView = (host: string): HostView => `host:${host}`;
const viewHost = (view: View): string | undefined => (view.startsWith('host:') ? view.slice('host:'.length) : undefined);

export const labelView = (label: string): LabelView => `label:${label}`;
/** The label a view shows, or undefined for a built-in view. */
export const viewLabel = (view: View): string | undefined => (view.startsWith('label:') ? view.slice('label:'.length) : undefined);
/** How a view is named in the view bar: built-in ones as they are, labels with a '#'. */
export const viewTitle = (view: View): string => {
  const label = viewLabel(view);
  const host = viewHost(view);
  return label !== undefined ? `#${label}` : host !== undefined ? `@${host}` : view;
};

/** The labels torrents carry, each once, sorted (case-insensitively). */
export function labelsInUse(rows: readonly TorrentRow[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const label of row.labels) seen.add(label);
  return [...seen].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The hosts rows come from, in first-seen order; none when every row is the in-process session's. */
export function hostsInUse(rows: readonly TorrentRow[]): string[] {
  if (!rows.some((r) => r.host !== undefined)) return [];
  return [...new Set(rows.map(hostName))];
}

/** Every view v/V cycles through: the built-in ones, one per host (several hosts), then one per label in use. */
export function allViews(rows: readonly TorrentRow[]): View[] {
  return [...VIEWS, ...hostsInUse(rows).map(hostView), ...labelsInUse(rows).map(labelView)];
}

export const SORT_KEYS = [
  'added',
  'name',
  'state',
  'progress',
  'size',
  'down',
  'up',
  'ratio',
  'peers',
  'seeds',
  'eta',
  'labels',
  'host',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface ViewOptions {
  view: View;
  /** What the filter prompt took: `state:seeding`, `label:linux` (or `#linux`), `tracker:host`, the rest a case-insensitive substring of the name; '' = everything. */
  filter: string;
  sort: SortKey;
  descending: boolean;
}

export function inView(row: TorrentRow, view: View): boolean {
  const label = viewLabel(view);
  if (label !== undefined) return row.labels.includes(label);
  const host = viewHost(view);
  if (host !== undefined) return hostName(row) === host;
  switch (view as BuiltinView) {
    case 'all':
      return true;
    case 'downloading':
      return row.state === 'downloading' || row.state === 'metadata' || row.state === 'queued';
    case 'seeding':
      return row.state === 'seeding';
    case 'paused':
      return row.state === 'paused';
    case 'complete':
      return row.progress >= 1;
    case 'active':
      // Transferring now; a torrent with idle peers is not active.
      return row.downloadRate > 0 || row.uploadRate > 0;
    case 'error':
      return row.state === 'error';
  }
}

const ETA_UNKNOWN = Number.MAX_SAFE_INTEGER;

export function sortValue(row: TorrentRow, key: SortKey): number | string {
  switch (key) {
    case 'added':
      return row.addedAt;
    case 'name':
      return row.name.toLowerCase();
    case 'state':
      return row.state;
    case 'progress':
      return row.progress;
    case 'size':
      return row.size;
    case 'down':
      return row.downloadRate;
    case 'up':
      return row.uploadRate;
    case 'ratio':
      return row.ratio;
    case 'peers':
      return row.peers;
    case 'seeds':
      return row.seeds;
    case 'eta':
      return row.etaSeconds ?? ETA_UNKNOWN;
    case 'labels':
      return row.labels.join(',').toLowerCase();
    case 'host':
      return hostName(row);
  }
}

export interface Filter {
  /** Lower-case substring of the name ('' = any). */
  name: string;
  /** States (or built-in views: `state:active`) a row must be in one of; empty = any. */
  states: string[];
  /** Labels a row must carry all of. */
  labels: string[];
  /** Lower-case parts of tracker hosts: a row must have a tracker whose host contains each. */
  trackers: string[];
}

/** The filter prompt's text: `state:X` / `s:X`, `label:X` / `#X`, `tracker:X` / `tr:X` words, the rest the name. */
export function parseFilter(text: string): Filter {
  const filter: Filter = { name: '', states: [], labels: [], trackers: [] };
  const rest: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const m =
      /^(state|s|label|l|tracker|tr):(.+)$/i.exec(word) ?? (word.length > 1 && word.startsWith('#') ? ['', 'label', word.slice(1)] : null);
    if (!m) rest.push(word);
    else if (/^t/i.test(m[1]!)) filter.trackers.push(m[2]!.toLowerCase());
    else if (/^s/i.test(m[1]!)) filter.states.push(m[2]!.toLowerCase());
    else filter.labels.push(m[2]!);
  }
  filter.name = rest.join(' ').toLowerCase();
  return filter;
}

export function matchesFilter(row: TorrentRow, filter: Filter): boolean {
  if (filter.name !== '' && !row.name.toLowerCase().includes(filter.name)) return false;
  if (filter.labels.some((l) => !row.labels.some((have) => have.toLowerCase() === l.toLowerCase()))) return false;
  if (filter.trackers.some((t) => !row.trackerHosts.some((host) => host.includes(t)))) return false;
  if (filter.states.length === 0) return true;
  return filter.states.some((s) => row.state === s || ((VIEWS as readonly string[]).includes(s) && inView(row, s as BuiltinView)));
}

/** The rows to show, filtered and sorted; ties keep the order torrents were added in (a stable sort). */
export function visibleRows(rows: readonly TorrentRow[], options: ViewOptions): TorrentRow[] {
  const filter = parseFilter(options.filter);
  const kept = rows.filter((row) => inView(row, options.view) && matchesFilter(row, filter));
  if (options.sort === 'added' && !options.descending) return kept;
  const sign = options.descending ? -1 : 1;
  const keyed = kept.map((row, i) => ({ row, i, v: sortValue(row, options.sort) }));
  // Ties keep the order of adding (for the 'added' column itself, in the chosen direction).
  const tie = options.sort === 'added' ? sign : 1;
  keyed.sort((a, b) => (a.v < b.v ? -sign : a.v > b.v ? sign : (a.i - b.i) * tie));
  return keyed.map((k) => k.row);
}

/** Counts per view, for the view bar: every built-in view, and a view per label in use; of the rows the filter keeps. */
export function viewCounts(rows: readonly TorrentRow[], filterText = ''): Map<View, number> {
  const counts = new Map<View, number>(VIEWS.map((v) => [v, 0]));
  const filter = filterText === '' ? undefined : parseFilter(filterText);
  const multiHost = rows.some((r) => r.host !== undefined);
  for (const row of rows) {
    if (filter && !matchesFilter(row, filter)) continue;
    for (const v of VIEWS) if (inView(row, v)) counts.set(v, counts.get(v)! + 1);
    for (const label of new Set(row.labels)) counts.set(labelView(label), (counts.get(labelView(label)) ?? 0) + 1);
    if (multiHost) {
      const v = hostView(hostName(row));
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
  }
  return counts;
}
