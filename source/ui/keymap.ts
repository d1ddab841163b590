/**
 * The keymap is data: every action, its default keys and a description. The help overlay
 * is generated from it and settings can remap any action.
 *
 * Key names: a printable character as itself ('j', 'G', '?', '['), or one of up, down,
 * left, right, pageup, pagedown, home, end, return, escape, tab, shift-tab, space,
 * backspace, delete; Ctrl plus a letter is 'C-x'.
 */
export type ActionId =
  | 'up'
  | 'down'
  | 'top'
  | 'bottom'
  | 'pageUp'
  | 'pageDown'
  | 'open'
  | 'back'
  | 'nextTab'
  | 'previousTab'
  | 'tab1'
  | 'tab2'
  | 'tab3'
  | 'tab4'
  | 'tab5'
  | 'help'
  | 'filter'
  | 'quit'
  | 'add'
  | 'toggle'
  | 'recheck'
  | 'remove'
  | 'removeData'
  | 'announce'
  | 'scrape'
  | 'metainfo'
  | 'create'
  | 'labels'
  | 'move'
  | 'seedRatio'
  | 'seedIdle'
  | 'torrentDownloadLimit'
  | 'torrentUploadLimit'
  | 'priorityUp'
  | 'priorityDown'
  | 'downloadLimitDown'
  | 'downloadLimitUp'
  | 'uploadLimitDown'
  | 'uploadLimitUp'
  | 'altSpeed'
  | 'nextView'
  | 'previousView'
  | 'nextSort'
  | 'reverseSort'
  | 'log'
  | 'settings'
  | 'mark'
  | 'copyMagnet'
  | 'folderPriorityUp'
  | 'folderPriorityDown';

export interface Binding {
  action: ActionId;
  keys: string[];
  description: string;
  group: 'Move' | 'Detail' | 'Torrent' | 'List' | 'Global';
}

export const DEFAULT_BINDINGS: readonly Binding[] = [
  { action: 'up', keys: ['up', 'k'], description: 'move up', group: 'Move' },
  { action: 'down', keys: ['down', 'j'], description: 'move down', group: 'Move' },
  { action: 'top', keys: ['g', 'home'], description: 'first row', group: 'Move' },
  { action: 'bottom', keys: ['G', 'end'], description: 'last row', group: 'Move' },
  { action: 'pageUp', keys: ['pageup'], description: 'page up', group: 'Move' },
  { action: 'pageDown', keys: ['pagedown'], description: 'page down', group: 'Move' },
  { action: 'open', keys: ['return', 'right'], description: 'open the detail of the selected torrent', group: 'Detail' },
  { action: 'back', keys: ['escape', 'left'], description: 'back / close', group: 'Detail' },
  { action: 'nextTab', keys: ['tab'], description: 'next detail tab', group: 'Detail' },
  { action: 'previousTab', keys: ['shift-tab'], description: 'previous detail tab', group: 'Detail' },
  { action: 'tab1', keys: ['1'], description: 'Info tab', group: 'Detail' },
  { action: 'tab2', keys: ['2'], description: 'Peers tab', group: 'Detail' },
  { action: 'tab3', keys: ['3'], description: 'Files tab', group: 'Detail' },
  { action: 'tab4', keys: ['4'], description: 'Trackers tab', group: 'Detail' },
  { action: 'tab5', keys: ['5'], description: 'Pieces tab (heatmap)', group: 'Detail' },
  {
    action: 'mark',
    keys: ['t'],
    description: 'mark / unmark (Space r x X u L M R T D U then act on every marked one; Esc unmarks)',
    group: 'Torrent',
  },
  { action: 'toggle', keys: ['space'], description: 'start / pause', group: 'Torrent' },
  { action: 'recheck', keys: ['r'], description: 'recheck the data', group: 'Torrent' },
  { action: 'remove', keys: ['x'], description: 'remove (keeps the data; asks first)', group: 'Torrent' },
  { action: 'removeData', keys: ['X'], description: 'remove and delete the data (asks first)', group: 'Torrent' },
  { action: 'announce', keys: ['u'], description: 'announce to the trackers now', group: 'Torrent' },
  { action: 'scrape', keys: ['s'], description: 'scrape the trackers now', group: 'Torrent' },
  { action: 'metainfo', keys: ['m'], description: 'metainfo view', group: 'Torrent' },
  { action: 'copyMagnet', keys: ['c'], description: 'the magnet link whole, copied to the clipboard (OSC 52)', group: 'Torrent' },
  { action: 'labels', keys: ['L'], description: 'labels of the torrent (comma-separated; empty clears)', group: 'Torrent' },
  { action: 'move', keys: ['M'], description: 'move the data to another directory (Tab completes)', group: 'Torrent' },
  { action: 'seedRatio', keys: ['R'], description: 'seed ratio goal of the torrent (2, 1.5, global, unlimited)', group: 'Torrent' },
  { action: 'seedIdle', keys: ['T'], description: 'seed idle-time goal of the torrent (90m, 2h, global, unlimited)', group: 'Torrent' },
  { action: 'torrentDownloadLimit', keys: ['D'], description: 'download limit of the torrent (KiB/s, 1M; 0 = none)', group: 'Torrent' },
  { action: 'torrentUploadLimit', keys: ['U'], description: 'upload limit of the torrent (KiB/s, 1M; 0 = none)', group: 'Torrent' },
  { action: 'priorityUp', keys: ['+', '='], description: 'raise priority (torrent, or file in Files)', group: 'Torrent' },
  { action: 'priorityDown', keys: ['-'], description: 'lower priority (torrent, or file in Files)', group: 'Torrent' },
  {
    action: 'folderPriorityUp',
    keys: ['>'],
    description: 'in Files: raise the priority of the whole folder of the file',
    group: 'Torrent',
  },
  {
    action: 'folderPriorityDown',
    keys: ['<'],
    description: 'in Files: lower the priority of the whole folder of the file',
    group: 'Torrent',
  },
  { action: 'add', keys: ['a'], description: 'add: path, URL, magnet or info-hash', group: 'List' },
  { action: 'create', keys: ['n'], description: 'new torrent from files, seeded', group: 'List' },
  { action: 'filter', keys: ['/'], description: 'filter: name, state:X, #label, tracker:HOST', group: 'List' },
  {
    action: 'nextView',
    keys: ['v'],
    description: 'next view (all, downloading, seeding, ..., one per host @name, one per label #name)',
    group: 'List',
  },
  { action: 'previousView', keys: ['V'], description: 'previous view', group: 'List' },
  { action: 'nextSort', keys: ['o'], description: 'sort by the next column', group: 'List' },
  { action: 'reverseSort', keys: ['O'], description: 'reverse the sort order', group: 'List' },
  { action: 'downloadLimitDown', keys: ['['], description: 'lower the global download limit', group: 'Global' },
  { action: 'downloadLimitUp', keys: [']'], description: 'raise the global download limit', group: 'Global' },
  { action: 'uploadLimitDown', keys: ['{'], description: 'lower the global upload limit', group: 'Global' },
  { action: 'uploadLimitUp', keys: ['}'], description: 'raise the global upload limit', group: 'Global' },
  {
    action: 'altSpeed',
    keys: ['A'],
    description: 'turtle mode on / off: the alternate limits (set in settings, with a schedule)',
    group: 'Global',
  },
  { action: 'log', keys: ['l'], description: 'show / hide the log', group: 'Global' },
  { action: 'settings', keys: ['S'], description: 'settings', group: 'Global' },
  { action: 'help', keys: ['?', 'h'], description: 'this help', group: 'Global' },
  { action: 'quit', keys: ['q', 'C-c'], description: 'quit (saves the session; asks first while torrents run)', group: 'Global' },
];

/** rtorrent's keys on top of the defaults (its Backspace adds, Ctrl-S starts, Ctrl-D stops, Ctrl-K removes, Ctrl-R rechecks). */
export const RTORRENT_OVERRIDES: Partial<Record<ActionId, string[]>> = {
  add: ['backspace', 'delete', 'a'],
  toggle: ['C-s', 'C-d', 'space'],
  remove: ['C-k', 'x'],
  recheck: ['C-r', 'r'],
};

export const PRESETS: Record<string, Partial<Record<ActionId, string[]>>> = {
  default: {},
  rtorrent: RTORRENT_OVERRIDES,
};

export interface Keymap {
  readonly bindings: readonly Binding[];
  /** The action bound to a key name, if any. */
  lookup(key: string): ActionId | undefined;
  /** Problems found in the remaps (unknown action names, bad keys), for the log. */
  readonly problems: readonly string[];
}

const ACTIONS = new Set<string>(DEFAULT_BINDINGS.map((b) => b.action));
const NAMED_KEYS = new Set([
  'up',
  'down',
  'left',
  'right',
  'pageup',
  'pagedown',
  'home',
  'end',
  'return',
  'escape',
  'tab',
  'shift-tab',
  'space',
  'backspace',
  'delete',
]);

export function isValidKeyName(key: string): boolean {
  return NAMED_KEYS.has(key) || /^C-[a-z]$/.test(key) || [...key].length === 1;
}

/**
 * Builds the keymap: defaults, then the preset, then the user's remaps. A key taken by a
 * later layer is removed from whatever action had it before, so no key is bound twice.
 */
export function buildKeymap(preset = 'default', remaps: Record<string, string[]> = {}): Keymap {
  const problems: string[] = [];
  const keys = new Map<ActionId, string[]>(DEFAULT_BINDINGS.map((b) => [b.action, [...b.keys]]));
  const apply = (action: ActionId, list: string[]) => {
    for (const [other, otherKeys] of keys)
      if (other !== action)
        keys.set(
          other,
          otherKeys.filter((k) => !list.includes(k)),
        );
    keys.set(action, [...new Set(list)]);
  };
  const presetLayer = PRESETS[preset];
  if (!presetLayer) problems.push(`unknown key preset '${preset}'`);
  for (const [action, list] of Object.entries(presetLayer ?? {})) apply(action as ActionId, list!);
  for (const [action, list] of Object.entries(remaps)) {
    if (!ACTIONS.has(action)) {
      problems.push(`unknown action '${action}' in the key settings`);
      continue;
    }
    const good = list.filter(isValidKeyName);
    for (const bad of list.filter((k) => !isValidKeyName(k))) problems.push(`bad key name '${bad}' for ${action}`);
    apply(action as ActionId, good);
  }
  const byKey = new Map<string, ActionId>();
  for (const [action, list] of keys) for (const key of list) byKey.set(key, action);
  const bindings = DEFAULT_BINDINGS.map((b) => ({ ...b, keys: keys.get(b.action) ?? [] }));
  return { bindings, problems, lookup: (key) => byKey.get(key) };
}

/** The subset of Ink's key object this needs (kept structural so the keymap has no Ink import). */
export interface InkKey {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  tab?: boolean;
  shift?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
}

/** Ink's (input, key) as one key name; undefined for what has no name (pasted text). */
export function keyName(input: string, key: InkKey): string | undefined {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'return';
  if (key.tab) return key.shift ? 'shift-tab' : 'tab';
  if (key.backspace) return 'backspace';
  if (key.delete) return 'delete';
  if (key.escape) return 'escape';
  if (key.ctrl && /^[a-z]$/.test(input)) return `C-${input}`;
  if (input === ' ') return 'space';
  if (input === '\x1b[Z') return 'shift-tab';
  if ([...input].length === 1) return input;
  return undefined;
}

/** How a key name reads in the help: "Ctrl-S", "Space", "↑". */
export function displayKey(key: string): string {
  const names: Record<string, string> = {
    up: '↑',
    down: '↓',
    left: '←',
    right: '→',
    pageup: 'PgUp',
    pagedown: 'PgDn',
    home: 'Home',
    end: 'End',
    return: 'Enter',
    escape: 'Esc',
    tab: 'Tab',
    'shift-tab': 'S-Tab',
    space: 'Space',
    backspace: 'Backspace',
    delete: 'Del',
  };
  if (names[key]) return names[key]!;
  if (key.startsWith('C-')) return `Ctrl-${key.slice(2).toUpperCase()}`;
  return key;
}
