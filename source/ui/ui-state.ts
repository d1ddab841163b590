import { allViews, SORT_KEYS, VIEWS, type SortKey, type View } from '../store/view.js';
import { rowKey } from '../store/row.js';
import type { TorrentRow } from '../store/types.js';

export const TABS = ['info', 'peers', 'files', 'trackers', 'pieces'] as const;
export type Tab = (typeof TABS)[number];
export const TAB_TITLES: Record<Tab, string> = { info: 'Info', peers: 'Peers', files: 'Files', trackers: 'Trackers', pieces: 'Pieces' };

/** Prompts that edit one torrent (its hash is in the prompt, so the selection may move meanwhile). */
export const TORRENT_PROMPTS = ['labels', 'move', 'seedRatio', 'seedIdle', 'downloadLimit', 'uploadLimit'] as const;
export type TorrentPromptKind = (typeof TORRENT_PROMPTS)[number];
export type PromptKind = 'add' | 'create' | 'filter' | 'setting' | 'globalSeedRatio' | 'globalSeedIdle' | TorrentPromptKind;

export interface Prompt {
  kind: PromptKind;
  text: string;
  /** Where the cursor is in text; undefined = at the end. */
  cursor?: number;
  /** Why the last Enter was refused; the prompt stays open so the text can be fixed. */
  error?: string;
  /** For the per-torrent prompts: the torrent they edit. */
  hash?: string;
  /** Marked torrents the prompt edits instead, all alike. */
  hashes?: readonly string[];
  /** Completion choices shown under the prompt after an ambiguous Tab. */
  candidates?: string[];
  /** For 'setting': which setting is being edited. */
  settingKey?: string;
  /**
   * For 'add' with several hosts: where the torrent goes, an index into the status line's hosts
   * (the store's sources); index undefined while none is chosen (Shift-Tab chooses).
   */
  host?: { index: number | undefined };
}

export interface Confirm {
  kind: 'remove' | 'removeData';
  hash: string;
  name: string;
  path: string;
  /** Marked torrents removed together (name and path are then the first one's). */
  hashes?: readonly string[];
}

/** A y/n question on the bottom line. */
export interface Question {
  kind: 'quit';
  /** Torrents downloading or seeding that quitting stops. */
  active: number;
}

export type Overlay =
  | { kind: 'help'; scroll: number }
  | { kind: 'metainfo'; hash: string; text: string; scroll: number }
  | { kind: 'magnet'; hash: string; text: string; scroll: number }
  | { kind: 'settings'; cursor: number };

/** Everything about what the screen shows that is not engine data. Plain data, changed only by pure functions. */
export interface UiState {
  screen: 'list' | 'detail';
  tab: Tab;
  /** Selection is by info-hash, so it stays on its torrent when rows move. */
  selected?: string;
  /** Where the selection was, for choosing a neighbour when its torrent leaves the view. */
  selectedIndex: number;
  /** Row cursor inside the Files tab (index into the file rows). */
  fileCursor: number;
  /** First row shown in the Peers and Trackers tabs. */
  detailScroll: number;
  view: View;
  sort: SortKey;
  descending: boolean;
  filter: string;
  overlay?: Overlay;
  prompt?: Prompt;
  confirm?: Confirm;
  question?: Question;
  showLog: boolean;
  /** Torrents marked with t: the torrent actions apply to all of them. */
  marked: readonly string[];
  /** A one-line notice under the list (e.g. the magnet of a new torrent). */
  notice?: string;
}

export function initialUiState(): UiState {
  return {
    screen: 'list',
    tab: 'info',
    selectedIndex: 0,
    fileCursor: 0,
    detailScroll: 0,
    view: 'all',
    sort: 'added',
    descending: false,
    filter: '',
    showLog: false,
    marked: [],
  };
}

/** The list's view and sort as they were left (saved in the settings); names that are not known any more fall back to the defaults. */
export function restoredList(saved: {
  listView?: string;
  listSort?: string;
  listDescending?: boolean;
}): Pick<UiState, 'view' | 'sort' | 'descending'> {
  const view =
    (VIEWS as readonly string[]).includes(saved.listView ?? '') || /^label:./.test(saved.listView ?? '') ? (saved.listView as View) : 'all';
  const sort = (SORT_KEYS as readonly string[]).includes(saved.listSort ?? '') ? (saved.listSort as SortKey) : 'added';
  return { view, sort, descending: saved.listDescending === true };
}

/** Keeps the selection on a visible row: its torrent if still shown, else the row now at its old place. */
export function reconcileSelection(
  state: UiState,
  rows: readonly TorrentRow[],
  indexOf: (key: string) => number = (key) => rows.findIndex((r) => rowKey(r) === key),
): UiState {
  if (rows.length === 0) return state.selected === undefined ? state : { ...state, selected: undefined, selectedIndex: 0 };
  const index = state.selected === undefined ? -1 : indexOf(state.selected);
  if (index >= 0) return index === state.selectedIndex ? state : { ...state, selectedIndex: index };
  const fallback = Math.min(state.selectedIndex, rows.length - 1);
  return { ...state, selected: rowKey(rows[fallback]!), selectedIndex: fallback };
}

export function moveSelection(state: UiState, rows: readonly TorrentRow[], to: number | 'top' | 'bottom'): UiState {
  if (rows.length === 0) return state;
  const current = Math.max(
    0,
    rows.findIndex((r) => rowKey(r) === state.selected),
  );
  const target = to === 'top' ? 0 : to === 'bottom' ? rows.length - 1 : Math.max(0, Math.min(rows.length - 1, current + to));
  return { ...state, selected: rowKey(rows[target]!), selectedIndex: target };
}

export function cycle<T>(list: readonly T[], current: T, step: number): T {
  const i = list.indexOf(current);
  return list[(((i + step) % list.length) + list.length) % list.length]!;
}

/** The next view among the built-in ones and one per label the rows carry (a view whose label went away steps back into the list). */
export function nextView(view: View, step: number, rows: readonly TorrentRow[] = []): View {
  const views = allViews(rows);
  if (!views.includes(view)) return step > 0 ? views[0]! : views[views.length - 1]!;
  return cycle(views, view, step);
}

export function nextSort(sort: SortKey): SortKey {
  return cycle(SORT_KEYS, sort, 1);
}

/**
 * The first row to show so that the selected one is visible, moving the window as little
 * as possible from where it was (so the list does not jump while you move inside a page).
 */
export function scrollWindow(previousOffset: number, index: number, height: number, total: number): number {
  if (height <= 0 || total <= height) return 0;
  let offset = Math.min(Math.max(0, previousOffset), total - height);
  if (index < offset) offset = index;
  else if (index >= offset + height) offset = index - height + 1;
  return Math.max(0, Math.min(offset, total - height));
}
