import { rowKey } from './row.js';
import type { RowReplacements, TorrentRow } from './types.js';
import {
  hostName,
  hostsInUse,
  hostView,
  inView,
  labelView,
  matchesFilter,
  parseFilter,
  sortValue,
  VIEWS,
  visibleRows,
  type Filter,
  type View,
  type ViewOptions,
} from './view.js';

/** What the list and the view bar show of one snapshot. Replaced as a whole when any part changes. */
export interface ListResult {
  /** The rows shown, filtered and sorted (visibleRows). */
  readonly rows: readonly TorrentRow[];
  /** Rows per view under the filter (viewCounts). */
  readonly counts: ReadonlyMap<View, number>;
  /** The views v cycles through (allViews). */
  readonly views: readonly View[];
  /** Where a row is in `rows` (-1: not shown), by key, without a walk of the list. */
  indexOf(key: string | undefined): number;
}

/**
 * The filtered, sorted list, the count of each view and the list of views, kept from one snapshot
 * to the next: when a snapshot only replaced some rows (Snapshot.replaced) and the view options
 * are the same, only those rows are looked at, so a refresh that changed 30 of 10,000 torrents
 * costs the TUI 30 rows' work, not 10,000. A row that enters or leaves the view, or moves in the
 * sort order, has the list filtered and sorted again (the counts and views stay incremental).
 */
export class ListView {
  private torrents?: readonly TorrentRow[];
  private options?: ViewOptions;
  private filter: Filter = parseFilter('');
  private result?: ListResult;
  private counts = new Map<View, number>();
  /** Every label in use (whatever the filter) and how many rows carry it. */
  private labels = new Map<string, number>();
  private multiHost = false;
  private position?: Map<string, number>;

  update(torrents: readonly TorrentRow[], replaced: RowReplacements | undefined, options: ViewOptions): ListResult {
    if (this.result && torrents === this.torrents && sameOptions(options, this.options!)) return this.result;
    const incremental = this.result && replaced?.previous === this.torrents && sameOptions(options, this.options!);
    this.torrents = torrents;
    if (incremental) this.apply(torrents, replaced!);
    else this.rebuild(torrents, options);
    return this.result!;
  }

  private rebuild(torrents: readonly TorrentRow[], options: ViewOptions): void {
    this.options = { ...options };
    this.filter = parseFilter(options.filter);
    this.multiHost = torrents.some((r) => r.host !== undefined);
    this.counts = new Map(VIEWS.map((v) => [v, 0]));
    this.labels = new Map();
    for (const row of torrents) this.count(row, 1);
    this.publish(visibleRows(torrents, options), this.viewList());
  }

  private apply(torrents: readonly TorrentRow[], replaced: RowReplacements): void {
    const options = this.options!;
    const labelsBefore = this.labels.size;
    let rows: TorrentRow[] | undefined;
    let resort = false;
    let labelsChanged = false;
    for (const { index, before } of replaced.changes) {
      const after = torrents[index]!;
      this.count(before, -1);
      this.count(after, 1);
      if (!sameLabels(before.labels, after.labels)) labelsChanged = true;
      if (resort) continue;
      const wasShown = this.shows(before);
      const isShown = this.shows(after);
      if (!wasShown && !isShown) continue;
      if (wasShown !== isShown || sortValue(before, options.sort) !== sortValue(after, options.sort)) {
        resort = true;
        continue;
      }
      const at = this.inAddedOrder() ? index : this.positions().get(rowKey(after));
      if (at === undefined) {
        resort = true;
        continue;
      }
      rows ??= this.result!.rows.slice();
      rows[at] = after;
    }
    const views = labelsChanged || this.labels.size !== labelsBefore ? this.viewList() : this.result!.views;
    if (resort) this.publish(visibleRows(torrents, options), views);
    else this.publish(rows ?? this.result!.rows, views, true);
  }

  private shows(row: TorrentRow): boolean {
    return inView(row, this.options!.view) && matchesFilter(row, this.filter);
  }

  /** Adds (sign 1) or takes away (-1) a row's share of the counts and of the labels in use. */
  private count(row: TorrentRow, sign: 1 | -1): void {
    for (const label of new Set(row.labels)) {
      const n = (this.labels.get(label) ?? 0) + sign;
      if (n === 0) this.labels.delete(label);
      else this.labels.set(label, n);
    }
    if (!matchesFilter(row, this.filter)) return;
    const counts = this.counts;
    for (const v of VIEWS) if (inView(row, v)) counts.set(v, counts.get(v)! + sign);
    for (const label of new Set(row.labels)) {
      const v = labelView(label);
      const n = (counts.get(v) ?? 0) + sign;
      if (n === 0) counts.delete(v);
      else counts.set(v, n);
    }
    if (this.multiHost) {
      const v = hostView(hostName(row));
      counts.set(v, (counts.get(v) ?? 0) + sign);
    }
  }

  private viewList(): View[] {
    const labels = [...this.labels.keys()].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()) || (a < b ? -1 : a > b ? 1 : 0));
    return [...VIEWS, ...hostsInUse(this.torrents!).map(hostView), ...labels.map(labelView)];
  }

  /** Every row shown in the list's own order: a row's place is its index in the snapshot. */
  private inAddedOrder(): boolean {
    const o = this.options!;
    return o.view === 'all' && this.filter.name === '' && o.filter.trim() === '' && o.sort === 'added' && !o.descending;
  }

  private positions(): Map<string, number> {
    if (!this.position) this.position = new Map(this.result!.rows.map((row, i) => [rowKey(row), i]));
    return this.position;
  }

  private publish(rows: readonly TorrentRow[], views: readonly View[], samePlaces = false): void {
    if (!samePlaces) this.position = undefined;
    const counts = new Map(this.counts);
    this.result = {
      rows,
      counts,
      views,
      indexOf: (key) => {
        if (key === undefined) return -1;
        // A map of 10,000 keys costs ~10 ms to make: used once made (for a change), else a scan, which
        // stops at the row (the selection is mostly near the top).
        if (this.result?.rows === rows && this.position) return this.position.get(key) ?? -1;
        return rows.findIndex((row) => rowKey(row) === key);
      },
    };
  }
}

function sameOptions(a: ViewOptions, b: ViewOptions): boolean {
  return a.view === b.view && a.filter === b.filter && a.sort === b.sort && a.descending === b.descending;
}

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  return a === b || (a.length === b.length && a.every((x, i) => x === b[i]));
}
