import { idleGoalText, labelsText, rateLimitText, ratioGoalText } from '../store/torrent-input.js';
import { rowKey } from '../store/row.js';
import type { Snapshot, TorrentRow } from '../store/types.js';
import type { ActionId } from './keymap.js';
import { moveSelection, nextSort, nextView, TABS, cycle, type Tab, type TorrentPromptKind, type UiState } from './ui-state.js';

/** What actions need from the controller (an interface so tests can record the calls). */
export interface Commands {
  toggle(hash: string): Promise<void>;
  recheck(hash: string): Promise<void>;
  announce(hash: string): void;
  scrape(hash: string): Promise<void>;
  changePriority(hash: string, delta: 1 | -1): void;
  changeFilePriority(hash: string, fileIndex: number, delta: 1 | -1): void;
  /** `key`: the selected row, whose host's limits change (the first host's without one). */
  stepLimit(which: 'download' | 'upload', direction: 'up' | 'down', key?: string): void;
  /** Turtle mode on or off on the host of the row `key` names (the first host's without one). */
  toggleAltSpeed(key?: string): void;
  metainfoText(hash: string): string | undefined;
  /** The torrent's magnet link, whole. */
  magnetOf(hash: string): string | undefined;
}

export interface ActionContext {
  state: UiState;
  /** The rows the list shows now (filtered and sorted). */
  rows: readonly TorrentRow[];
  snapshot: Snapshot;
  /** Rows in one page of the list. */
  pageSize: number;
  commands: Commands;
  quit: () => void;
}

/**
 * One keymap action: returns the next UI state and starts any engine command. Pure apart
 * from the commands it calls, so it is tested without React.
 */
export function runAction(action: ActionId, ctx: ActionContext): UiState {
  const { state, rows, snapshot, commands } = ctx;
  const selected = state.selected;
  const row = rows.find((r) => rowKey(r) === selected);
  const inFiles = state.screen === 'detail' && state.tab === 'files';
  const scrollsDetail = state.screen === 'detail' && (state.tab === 'peers' || state.tab === 'trackers');
  const fileCount = snapshot.detail && rowKey(snapshot.detail) === selected ? (snapshot.detail?.files.length ?? 0) : 0;
  const moveFile = (to: number) => ({ ...state, fileCursor: Math.max(0, Math.min(Math.max(0, fileCount - 1), to)) });
  const setTab = (tab: Tab): UiState =>
    state.screen === 'detail' || row ? { ...state, screen: row ? 'detail' : state.screen, tab, detailScroll: 0 } : state;

  switch (action) {
    case 'up':
    case 'down': {
      const delta = action === 'up' ? -1 : 1;
      if (inFiles) return moveFile(state.fileCursor + delta);
      if (scrollsDetail) return { ...state, detailScroll: Math.max(0, state.detailScroll + delta) };
      return moveSelection(state, rows, delta);
    }
    case 'pageUp':
    case 'pageDown': {
      const delta = (action === 'pageUp' ? -1 : 1) * Math.max(1, ctx.pageSize - 1);
      if (inFiles) return moveFile(state.fileCursor + delta);
      if (scrollsDetail) return { ...state, detailScroll: Math.max(0, state.detailScroll + delta) };
      return moveSelection(state, rows, delta);
    }
    case 'top':
      if (inFiles) return moveFile(0);
      if (scrollsDetail) return { ...state, detailScroll: 0 };
      return moveSelection(state, rows, 'top');
    case 'bottom':
      if (inFiles) return moveFile(fileCount - 1);
      if (scrollsDetail) return { ...state, detailScroll: Number.MAX_SAFE_INTEGER };
      return moveSelection(state, rows, 'bottom');
    case 'open':
      return row && state.screen === 'list' ? { ...state, screen: 'detail', fileCursor: 0, detailScroll: 0 } : state;
    case 'back':
      if (state.notice) return { ...state, notice: undefined };
      if (state.marked.length > 0 && state.screen === 'list') return { ...state, marked: [] };
      if (state.screen === 'detail') return { ...state, screen: 'list' };
      if (state.filter) return { ...state, filter: '' };
      return state;
    case 'nextTab':
    case 'previousTab':
      return state.screen === 'detail'
        ? setTab(cycle(TABS, state.tab, action === 'nextTab' ? 1 : -1))
        : row
          ? { ...state, screen: 'detail' }
          : state;
    case 'tab1':
    case 'tab2':
    case 'tab3':
    case 'tab4':
    case 'tab5':
      return setTab(TABS[Number(action.slice(3)) - 1]!);
    case 'help':
      return { ...state, overlay: { kind: 'help', scroll: 0 } };
    case 'filter':
      return { ...state, prompt: { kind: 'filter', text: state.filter } };
    case 'add': {
      // To the selected row's host; with several hosts and no row, none until one is chosen.
      const hosts = snapshot.global.hosts;
      if (!hosts) return { ...state, prompt: { kind: 'add', text: '', hash: selected } };
      const own = row ? hosts.findIndex((h) => (row.host === undefined ? h.local === true : !h.local && h.name === row.host)) : -1;
      const index = own >= 0 ? own : hosts.length === 1 ? 0 : undefined;
      return { ...state, prompt: { kind: 'add', text: '', hash: selected, host: { index } } };
    }
    case 'create':
      return { ...state, prompt: { kind: 'create', text: '' } };
    case 'settings':
      return { ...state, overlay: { kind: 'settings', cursor: 0 } };
    case 'log':
      return { ...state, showLog: !state.showLog };
    case 'quit': {
      // Quitting stops seeding: asked first when anything runs (SIGTERM/SIGINT never ask).
      // Only this process's torrents stop: a remote host's go on without the TUI.
      const active = snapshot.torrents.filter(
        (r) => r.host === undefined && (r.state === 'downloading' || r.state === 'seeding' || r.state === 'checking'),
      ).length;
      if (active > 0) return { ...state, question: { kind: 'quit', active } };
      ctx.quit();
      return state;
    }
    case 'nextView':
    case 'previousView':
      return { ...state, view: nextView(state.view, action === 'nextView' ? 1 : -1, snapshot.torrents) };
    case 'nextSort':
      return { ...state, sort: nextSort(state.sort), descending: false };
    case 'reverseSort':
      return { ...state, descending: !state.descending };
    case 'downloadLimitDown':
      commands.stepLimit('download', 'down', row && rowKey(row));
      return state;
    case 'downloadLimitUp':
      commands.stepLimit('download', 'up', row && rowKey(row));
      return state;
    case 'uploadLimitDown':
      commands.stepLimit('upload', 'down', row && rowKey(row));
      return state;
    case 'uploadLimitUp':
      commands.stepLimit('upload', 'up', row && rowKey(row));
      return state;
    case 'altSpeed':
      commands.toggleAltSpeed(row && rowKey(row));
      return state;
    default:
      break;
  }

  // The rest act on the selected torrent, or on the marked ones where that makes sense.
  if (!row) return state;
  const hash = rowKey(row);
  const marked = state.screen === 'list' ? markedRows(state, snapshot.torrents) : [];
  const targets = marked.length > 0 ? marked : [row];
  const first = targets[0]!;
  switch (action) {
    case 'mark': {
      const next = state.marked.includes(hash) ? state.marked.filter((h) => h !== hash) : [...state.marked, hash];
      return moveSelection({ ...state, marked: next }, rows, 1);
    }
    case 'toggle':
      for (const t of targets) void commands.toggle(rowKey(t));
      return state;
    case 'recheck':
      for (const t of targets) void commands.recheck(rowKey(t));
      return state;
    case 'announce':
      for (const t of targets) commands.announce(rowKey(t));
      return state;
    case 'scrape':
      void commands.scrape(hash);
      return state.screen === 'detail' ? { ...state, tab: 'trackers' } : state;
    case 'remove':
    case 'removeData':
      return {
        ...state,
        confirm: {
          kind: action,
          hash: rowKey(first),
          name: first.name,
          path: first.dataPath,
          ...(marked.length > 0 ? { hashes: marked.map((t) => rowKey(t)) } : {}),
        },
      };
    case 'copyMagnet': {
      const magnet = commands.magnetOf(hash);
      return magnet === undefined ? state : { ...state, overlay: { kind: 'magnet', hash, text: magnet, scroll: 0 } };
    }
    case 'metainfo': {
      const text = commands.metainfoText(hash);
      return text === undefined ? state : { ...state, overlay: { kind: 'metainfo', hash, text, scroll: 0 } };
    }
    case 'labels':
      return torrentPrompt(state, targets, 'labels', labelsText(first.labels));
    case 'move':
      return torrentPrompt(state, targets, 'move', first.directory);
    case 'seedRatio':
      return torrentPrompt(state, targets, 'seedRatio', ratioGoalText(first));
    case 'seedIdle':
      return torrentPrompt(state, targets, 'seedIdle', idleGoalText(first));
    case 'torrentDownloadLimit':
      return torrentPrompt(state, targets, 'downloadLimit', rateLimitText(first.downloadLimit));
    case 'torrentUploadLimit':
      return torrentPrompt(state, targets, 'uploadLimit', rateLimitText(first.uploadLimit));
    case 'folderPriorityUp':
    case 'folderPriorityDown': {
      // Every file under the folder of the file under the cursor (the whole torrent for a file at the top).
      const files = inFiles ? (snapshot.detail?.files ?? []) : [];
      const file = files[state.fileCursor];
      if (!file) return state;
      const folder = file.path.includes('/') ? file.path.slice(0, file.path.lastIndexOf('/') + 1) : '';
      const delta = action === 'folderPriorityUp' ? 1 : -1;
      for (const f of files) if (f.path.startsWith(folder)) commands.changeFilePriority(hash, f.index, delta);
      return state;
    }
    case 'priorityUp':
    case 'priorityDown': {
      const delta = action === 'priorityUp' ? 1 : -1;
      const file = inFiles ? snapshot.detail?.files[state.fileCursor] : undefined;
      if (file) commands.changeFilePriority(hash, file.index, delta);
      else commands.changePriority(hash, delta);
      return state;
    }
    default:
      return state;
  }
}

/** A prompt that edits one torrent (or every marked one), opened with the (first one's) current value. */
function torrentPrompt(state: UiState, targets: readonly TorrentRow[], kind: TorrentPromptKind, text: string): UiState {
  const hashes = targets.length > 1 ? { hashes: targets.map((t) => rowKey(t)) } : {};
  return { ...state, prompt: { kind, text, hash: rowKey(targets[0]!), ...hashes } };
}

/** The marked torrents still in the session, in list order. */
export function markedRows(state: Pick<UiState, 'marked'>, torrents: readonly TorrentRow[]): TorrentRow[] {
  if (state.marked.length === 0) return [];
  const marked = new Set(state.marked);
  return torrents.filter((t) => marked.has(rowKey(t)));
}
