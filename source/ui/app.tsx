import { Box, Text, useInput, useStdout } from 'ink';
import { rowKey } from '../store/row.js';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { EDITABLE_SETTINGS, type Settings } from '../settings.js';
import type { Completion } from '../store/path-complete.js';
import { parseIdleGoal, parseLabels, parseRateLimit, parseRatioGoal, type IdleGoal, type RatioGoal } from '../store/torrent-input.js';
import type { AltSpeedSettingsPatch, Snapshot } from '../store/types.js';
import { ListView } from '../store/list-view.js';
import { DetailView } from './detail-view.js';
import { osc52 } from './clipboard.js';
import { fit, wrapHard } from './fit.js';
import { HelpOverlay, helpLines } from './help-overlay.js';
import { buildKeymap, keyName, type InkKey } from './keymap.js';
import { LogPane } from './log-pane.js';
import { hasControlKey, keyOfChar } from './key-chunks.js';
import { editLine, type EditKey } from './line-edit.js';
import { MESSAGE_MS, MessageBar, pickMessage } from './message-bar.js';
import { ConfirmLine, PromptLine, QuestionLine, promptHeight, questionText } from './prompt-line.js';
import { isForwardDelete, useRawInput } from './raw-input.js';
import { runAction, type Commands } from './run-action.js';
import { parseSetting, settingShown, settingText } from './setting-input.js';
import { GLOBAL_GOAL_ROWS, globalGoalTexts, HOST_SETTING_KEYS, remoteHostOf, settingsFor, SettingsOverlay } from './settings-overlay.js';
import { StatusBar } from './status-bar.js';
import { colourLevel, makeTheme } from './theme.js';
import { ThemeContext } from './theme-context.js';
import { TextOverlay } from './text-overlay.js';
import { TorrentList } from './torrent-list.js';
import { ViewBar } from './view-bar.js';
import { initialUiState, reconcileSelection, restoredList, type Prompt, type UiState } from './ui-state.js';

export interface StoreView {
  subscribe(listener: () => void): () => void;
  getSnapshot(): Snapshot;
  focus(hash: string | undefined): void;
  log(level: 'info' | 'warn' | 'error', text: string): void;
}

export interface AppCommands extends Commands {
  /** `key`: the selected row, whose host the torrent goes to. Resolves with the reason in words when it cannot be added. */
  add(text: string, key?: string, hostIndex?: number): Promise<{ hash: string } | { error: string } | void>;
  create(text: string): Promise<string[]>;
  remove(hash: string, deleteData: boolean): Promise<void>;
  /** Global limits of the host of the row `key` names (the in-process session without one). */
  setLimits(limits: { download?: number; upload?: number }, key?: string): Promise<void> | void;
  /** The settings screen's turtle limits and schedule (turtle mode itself is the A key's). */
  setAltSpeedSettings(patch: AltSpeedSettingsPatch): void;
  /** The per-torrent prompts (L, M, R, T, D, U): values already checked. */
  setLabels(hash: string, labels: string[]): Promise<void>;
  move(hash: string, directory: string): Promise<unknown>;
  setSeedGoals(hash: string, goals: RatioGoal | IdleGoal): Promise<void>;
  setTorrentLimits(hash: string, limits: { download?: number; upload?: number }): Promise<void>;
  /** The defaults for torrents whose goals are 'global' (null = none), of the host of the row `key` names. */
  setGlobalSeedGoals(goals: { ratio?: number | null; idleMinutes?: number | null }, key?: string): Promise<void> | void;
}

export interface SettingsAccess {
  read(): Settings;
  update(patch: Partial<Settings>): Settings;
  readonly path: string;
}

export interface AppProps {
  store: StoreView;
  commands: AppCommands;
  settings: SettingsAccess;
  width: number;
  height: number;
  demo?: boolean;
  onQuit: () => void;
  complete?: (text: string) => Promise<Completion>;
  /** Applies settings that need more than a re-render (download directory). */
  onSettingsChanged?: (settings: Settings) => void;
  /** Shown over everything at start until answered y or n: the saved session could not be used. */
  recovery?: RecoveryQuestion;
}

/** What the demo's first screen suggests trying (Esc hides it). */
export const DEMO_HINT = 'try Enter (detail), 5 (heatmap), t (mark), / (filter), c (magnet), ? (help)';

/** From this many rows the list and the detail share the screen; below, the detail takes it whole. */
export const SPLIT_MIN_ROWS = 40;

/** The list's share of a split screen: its rows and header, up to two fifths, never under 8 rows; the detail has the rest. */
function splitListHeight(mainHeight: number, rowCount: number): number {
  return Math.max(8, Math.min(Math.floor(mainHeight * 0.4), rowCount + 1));
}

function emptyText(torrentCount: number, filter: string): string {
  return torrentCount === 0
    ? 'No torrents yet: press a to add one, n to make one, ? for help.'
    : `Nothing in this view${filter ? ` matching "${filter}"` : ''} (v changes the view, Esc clears the filter).`;
}

export interface RecoveryQuestion {
  title: string;
  text: string;
  question: string;
  answer(yes: boolean): void;
}

export function App({
  store,
  commands,
  settings: settingsAccess,
  width,
  height,
  demo = false,
  onQuit,
  complete,
  onSettingsChanged,
  recovery,
}: AppProps) {
  const [recoveryOpen, setRecoveryOpen] = useState(recovery !== undefined);
  const recoveryOpenRef = useRef(recoveryOpen);
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const [settings, setSettings] = useState(() => settingsAccess.read());
  const [rawState, setUiState] = useState<UiState>(() => ({
    ...initialUiState(),
    ...restoredList(settingsAccess.read()),
    ...(demo ? { notice: DEMO_HINT } : {}),
  }));
  const keymap = useMemo(() => buildKeymap(settings.keymapPreset, settings.keys), [settings.keymapPreset, settings.keys]);
  const theme = useMemo(() => makeTheme(colourLevel(settings.colours)), [settings.colours]);
  // Kept from one snapshot to the next: a refresh that changed a few rows costs those rows' work (store/list-view.ts).
  const listView = useRef<ListView>(undefined);
  listView.current ??= new ListView();
  const list = listView.current.update(snapshot.torrents, snapshot.replaced, {
    view: rawState.view,
    filter: rawState.filter,
    sort: rawState.sort,
    descending: rawState.descending,
  });
  const rows = list.rows;
  const ui = reconcileSelection(rawState, rows, list.indexOf);
  const marked = useMemo(() => new Set(ui.marked), [ui.marked]);
  const uiRef = useRef(ui);
  uiRef.current = ui;
  const raw = useRawInput();
  const { write } = useStdout();
  const magnetShown = ui.overlay?.kind === 'magnet' ? ui.overlay.text : undefined;
  useEffect(() => {
    if (magnetShown !== undefined) write(osc52(magnetShown));
  }, [magnetShown, write]);

  // The message bar: failures (and warnings answering a key) since the last key, in view rather than only in the log.
  const lastLogId = () => store.getSnapshot().log.at(-1)?.id ?? 0;
  const [dismissedId, setDismissedId] = useState(lastLogId);
  const lastKeyAt = useRef(0);
  const message = ui.prompt ? undefined : pickMessage(snapshot.log, dismissedId, lastKeyAt.current);
  useEffect(() => {
    if (!message) return;
    const timer = setTimeout(() => setDismissedId((d) => Math.max(d, message.id)), MESSAGE_MS);
    return () => clearTimeout(timer);
  }, [message]);

  // The view and sort are remembered across restarts.
  useEffect(() => {
    const saved = settingsAccess.read();
    if (saved.listView === rawState.view && saved.listSort === rawState.sort && saved.listDescending === rawState.descending) return;
    settingsAccess.update({ listView: rawState.view, listSort: rawState.sort, listDescending: rawState.descending });
  }, [settingsAccess, rawState.view, rawState.sort, rawState.descending]);

  useEffect(() => {
    for (const problem of keymap.problems) store.log('warn', problem);
  }, [keymap, store]);

  // A tall terminal shows the list and the selected torrent's detail at once (tremc's and Transmission's layout).
  const split = height >= SPLIT_MIN_ROWS;
  useEffect(() => {
    store.focus(ui.screen === 'detail' || split ? ui.selected : undefined);
  }, [store, ui.screen, ui.selected, split]);

  const promptLines = recoveryOpen ? 1 : ui.prompt ? promptHeight(ui.prompt) : ui.confirm || ui.question || message || ui.notice ? 1 : 0;
  const logHeight = ui.showLog ? Math.min(12, Math.max(4, Math.floor(height / 4))) : 0;
  const mainHeight = Math.max(3, height - 2 - logHeight - promptLines);
  const listHeight = split ? splitListHeight(mainHeight, rows.length) : mainHeight;

  const submitPrompt = useCallback(
    (prompt: Prompt, state: UiState): UiState => {
      const text = prompt.text.trim();
      const targets = prompt.hashes ?? (prompt.hash ? [prompt.hash] : []);
      // A refused value keeps the prompt open with the reason, so a typo can be fixed (Esc gives up); the log has it too.
      const refuse = (error: string): UiState => {
        store.log('warn', error);
        return { ...state, prompt: { ...prompt, error } };
      };
      switch (prompt.kind) {
        case 'add':
          if (text && prompt.host && prompt.host.index === undefined) return refuse('which host? Shift-Tab chooses one');
          // Closed at once so keys typed next are not lost; a failure (a file, a typo: milliseconds) opens it again with the reason.
          if (text)
            void commands.add(text, prompt.hash, prompt.host?.index).then((result) => {
              if (!result || !('error' in result)) return;
              setUiState((s) => {
                if (s.prompt || s.confirm || s.question || s.overlay) return s;
                const next: UiState = {
                  ...s,
                  prompt: { kind: 'add', text: prompt.text, hash: prompt.hash, host: prompt.host, error: result.error },
                };
                uiRef.current = next;
                return next;
              });
            });
          return { ...state, prompt: undefined };
        case 'create':
          if (text) {
            void commands.create(text).then((magnets) => {
              if (magnets.length > 0) setUiState((s) => ({ ...s, notice: `magnet: ${magnets.join(' ')}` }));
            });
          }
          return { ...state, prompt: undefined };
        case 'filter':
          return { ...state, prompt: undefined, filter: prompt.text };
        case 'labels':
          for (const hash of targets) void commands.setLabels(hash, parseLabels(prompt.text));
          return { ...state, prompt: undefined };
        case 'move':
          if (text) for (const hash of targets) void commands.move(hash, text);
          return { ...state, prompt: undefined };
        case 'seedRatio':
        case 'seedIdle':
        case 'downloadLimit':
        case 'uploadLimit': {
          // A refused value changes nothing: the torrent keeps the value the prompt opened with.
          const parsed =
            prompt.kind === 'seedRatio'
              ? parseRatioGoal(text)
              : prompt.kind === 'seedIdle'
                ? parseIdleGoal(text)
                : parseRateLimit(text, prompt.kind === 'downloadLimit' ? 'download' : 'upload');
          if ('error' in parsed) return refuse(`${parsed.error}; unchanged`);
          const value = parsed.value;
          for (const hash of targets) {
            if (typeof value === 'number')
              void commands.setTorrentLimits(hash, prompt.kind === 'downloadLimit' ? { download: value } : { upload: value });
            else void commands.setSeedGoals(hash, value);
          }
          return { ...state, prompt: undefined };
        }
        case 'globalSeedRatio':
        case 'globalSeedIdle': {
          // 'global' means nothing here: these are the global goals.
          const parsed = prompt.kind === 'globalSeedRatio' ? parseRatioGoal(text) : parseIdleGoal(text);
          if ('error' in parsed) return refuse(parsed.error.replace(/global, /, ''));
          const goal = parsed.value;
          if ('seedRatioMode' in goal) {
            if (goal.seedRatioMode === 'global') return refuse(`seed ratio goal: type a ratio or unlimited`);
            void commands.setGlobalSeedGoals({ ratio: goal.seedRatioMode === 'single' ? goal.seedRatioLimit! : null }, prompt.hash);
          } else {
            if (goal.seedIdleMode === 'global') return refuse(`seed idle goal: type a time or unlimited`);
            void commands.setGlobalSeedGoals({ idleMinutes: goal.seedIdleMode === 'single' ? goal.seedIdleLimit! : null }, prompt.hash);
          }
          return { ...state, prompt: undefined };
        }
        case 'setting': {
          const field = EDITABLE_SETTINGS.find((f) => f.key === prompt.settingKey);
          if (!field) return { ...state, prompt: undefined };
          const parsed = parseSetting(field, text);
          if ('error' in parsed) return refuse(parsed.error);
          const value = parsed.value;
          if (prompt.hash !== undefined && HOST_SETTING_KEYS.includes(field.key)) {
            // A remote host's own limit (the settings file keeps the local session's).
            void commands.setLimits({ [field.key === 'downloadLimit' ? 'download' : 'upload']: Number(value) }, prompt.hash);
            return { ...state, prompt: undefined };
          }
          const next = settingsAccess.update(parsed.patch ?? ({ [field.key]: value } as Partial<Settings>));
          setSettings(next);
          if (field.key === 'downloadLimit' || field.key === 'uploadLimit')
            void commands.setLimits({ download: next.downloadLimit, upload: next.uploadLimit });
          if (field.key.startsWith('alt'))
            commands.setAltSpeedSettings({
              download: next.altDownloadLimit,
              upload: next.altUploadLimit,
              scheduled: next.altSpeedScheduled,
              begin: next.altSpeedBegin,
              end: next.altSpeedEnd,
              days: next.altSpeedDays,
            });
          onSettingsChanged?.(next);
          store.log('info', `setting ${field.label}: ${settingShown(next, field.key)}`);
          return { ...state, prompt: undefined };
        }
      }
    },
    [commands, settingsAccess, store, onSettingsChanged],
  );

  const onKey = useCallback(
    (input: string, key: InkKey): void => {
      let state = uiRef.current;
      const setState = (next: UiState) => {
        uiRef.current = next;
        setUiState(next);
      };
      // Esc then a key, read together, looks like Alt+key; nobody means Alt here, so take both.
      if (key.meta && !key.escape && [...input].length === 1) {
        onKey('', { escape: true });
        onKey(input, { ...key, meta: false });
        return;
      }
      // Keys typed faster than they are read arrive as one chunk ("jj", "name\r", "\x15text"): one at a time,
      // except text pasted into a prompt, which goes in whole.
      const plain = !key.ctrl && !key.meta && !key.return && !key.tab && !key.escape && !key.backspace && !key.delete;
      if (plain && [...input].length > 1 && (!state.prompt || hasControlKey(input))) {
        for (const ch of input) {
          const one = keyOfChar(ch);
          onKey(one.input, one.key);
        }
        return;
      }
      const name = keyName(input, key);
      lastKeyAt.current = Date.now();
      // The demo's hint goes with the first key, which still does what it does (Esc still goes back).
      if (state.notice === DEMO_HINT) {
        state = { ...state, notice: undefined };
        setState(state);
      }
      // A key answers the message in view; one that came while a prompt hid it waits for the prompt to close.
      if (!state.prompt) setDismissedId(lastLogId());

      if (recovery && recoveryOpenRef.current) {
        // Nothing else until it is answered: the session is not saved meanwhile.
        const yes = input === 'y' || input === 'Y';
        if (!yes && input !== 'n' && input !== 'N' && name !== 'escape') return;
        recoveryOpenRef.current = false;
        setRecoveryOpen(false);
        recovery.answer(yes);
        return;
      }

      if (state.question) {
        if (input === 'y' || input === 'Y' || (name !== undefined && keymap.lookup(name) === 'quit')) onQuit();
        setState({ ...state, question: undefined });
        return;
      }

      if (state.confirm) {
        if (input === 'y' || input === 'Y') {
          const hashes = state.confirm.hashes ?? [state.confirm.hash];
          for (const hash of hashes) void commands.remove(hash, state.confirm.kind === 'removeData');
          if (state.confirm.hashes) return setState({ ...state, confirm: undefined, marked: [] });
        }
        setState({ ...state, confirm: undefined });
        return;
      }

      if (state.prompt) {
        const prompt = state.prompt;
        const close = (): UiState => ({ ...state, prompt: undefined, ...(prompt.kind === 'filter' ? { filter: '' } : {}) });
        if (name === 'escape') return setState(close());
        if (name === 'return') return setState(submitPrompt(prompt, state));
        if (name === 'shift-tab' && prompt.host) {
          // The add prompt's host: the next one (from none chosen: the first).
          const count = store.getSnapshot().global.hosts?.length ?? 0;
          if (count === 0) return;
          const index = prompt.host.index === undefined ? 0 : (prompt.host.index + 1) % count;
          return setState({ ...state, prompt: { ...prompt, host: { index }, error: undefined } });
        }
        if (name === 'tab' && complete && (prompt.kind === 'add' || prompt.kind === 'create' || prompt.kind === 'move')) {
          // Complete the last comma-separated part (create takes several paths).
          const cut = prompt.kind === 'create' ? prompt.text.lastIndexOf(',') + 1 : 0;
          const head = prompt.text.slice(0, cut);
          const lead = prompt.text.slice(cut).match(/^\s*/)![0];
          void complete(prompt.text.slice(cut).trimStart()).then((result) =>
            setUiState((s) =>
              s.prompt === prompt
                ? { ...s, prompt: { ...prompt, text: head + lead + result.text, cursor: undefined, candidates: result.candidates } }
                : s,
            ),
          );
          return;
        }
        const special =
          key.ctrl || key.meta || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown;
        const editKey: EditKey =
          name === 'delete'
            ? { name: isForwardDelete(raw.current) ? 'forward-delete' : 'backspace' }
            : special || key.home || key.end || key.backspace || key.tab
              ? { name: name ?? '' }
              : { text: input };
        const edited = editLine({ text: prompt.text, cursor: prompt.cursor ?? prompt.text.length }, editKey);
        if (!edited) return;
        if ('cancel' in edited) return setState(close());
        const { text, cursor } = edited.line;
        setState({
          ...state,
          prompt: { ...prompt, text, cursor: cursor === text.length ? undefined : cursor, candidates: undefined, error: undefined },
          ...(prompt.kind === 'filter' ? { filter: text } : {}),
        });
        return;
      }

      const overlay = state.overlay;
      if (overlay?.kind === 'help' || overlay?.kind === 'metainfo' || overlay?.kind === 'magnet') {
        const lines = overlay.kind === 'help' ? helpLines(keymap.bindings).length : overlay.text.split('\n').length;
        const max = Math.max(0, lines - (mainHeight - 1));
        const page = Math.max(1, mainHeight - 2);
        const moved = name === undefined ? undefined : keymap.lookup(name);
        const delta = moved === 'up' ? -1 : moved === 'down' ? 1 : moved === 'pageUp' ? -page : moved === 'pageDown' ? page : 0;
        if (delta !== 0) return setState({ ...state, overlay: { ...overlay, scroll: Math.max(0, Math.min(max, overlay.scroll + delta)) } });
        if (
          name === 'escape' ||
          moved === 'back' ||
          moved === 'quit' ||
          (overlay.kind === 'help' && moved === 'help') ||
          (overlay.kind === 'metainfo' && moved === 'metainfo') ||
          (overlay.kind === 'magnet' && moved === 'copyMagnet')
        ) {
          setState({ ...state, overlay: undefined });
        }
        return;
      }
      if (overlay?.kind === 'settings') {
        const count = EDITABLE_SETTINGS.length + GLOBAL_GOAL_ROWS;
        const moved = name === undefined ? undefined : keymap.lookup(name);
        if (moved === 'up') return setState({ ...state, overlay: { ...overlay, cursor: (overlay.cursor + count - 1) % count } });
        if (moved === 'down') return setState({ ...state, overlay: { ...overlay, cursor: (overlay.cursor + 1) % count } });
        if (name === 'return' || moved === 'open') {
          const goal = overlay.cursor - EDITABLE_SETTINGS.length;
          // With a remote row selected, the limits and global goals are its host's (the prompt names the row).
          const host = remoteHostOf(store.getSnapshot(), state.selected);
          const hash = host ? state.selected : undefined;
          if (goal >= 0) {
            const text = globalGoalTexts(host ?? store.getSnapshot().global)[goal]!;
            return setState({ ...state, prompt: { kind: goal === 0 ? 'globalSeedRatio' : 'globalSeedIdle', text, hash } });
          }
          const field = EDITABLE_SETTINGS[overlay.cursor]!;
          const own = HOST_SETTING_KEYS.includes(field.key) ? hash : undefined;
          const text = settingText(own ? settingsFor(settings, host) : settings, field.key);
          return setState({ ...state, prompt: { kind: 'setting', settingKey: field.key, text, hash: own } });
        }
        if (name === 'escape' || moved === 'back' || moved === 'quit') setState({ ...state, overlay: undefined });
        return;
      }

      if (name === undefined) return;
      const action = keymap.lookup(name);
      if (!action) return;
      const pageSize = state.screen === 'detail' ? mainHeight - listHeight - 1 : listHeight - 1;
      const next = runAction(action, { state, rows, snapshot: store.getSnapshot(), pageSize, commands, quit: onQuit });
      if (next !== state) setState(next);
    },
    [commands, complete, keymap, mainHeight, listHeight, onQuit, raw, recovery, rows, settings, store, submitPrompt],
  );
  useInput(onKey);

  const selectedIndex = list.indexOf(ui.selected);
  const selectedRow = selectedIndex >= 0 ? rows[selectedIndex] : snapshot.torrents.find((r) => rowKey(r) === ui.selected);
  const detailView = (row: NonNullable<typeof selectedRow>, viewHeight: number, focused?: boolean) => (
    <DetailView
      row={row}
      detail={snapshot.detail}
      global={snapshot.global}
      tab={ui.tab}
      fileCursor={ui.fileCursor}
      scroll={ui.detailScroll}
      width={width}
      height={viewHeight}
      focused={focused}
      speeds={snapshot.speeds?.detail}
    />
  );
  let main;
  if (recovery && recoveryOpen)
    main = <TextOverlay title={recovery.title} text={recovery.text} width={width} height={mainHeight} scroll={0} hint="" />;
  else if (ui.overlay?.kind === 'help')
    main = <HelpOverlay bindings={keymap.bindings} width={width} height={mainHeight} scroll={ui.overlay.scroll} />;
  else if (ui.overlay?.kind === 'magnet')
    main = (
      <TextOverlay
        title="Magnet (copied to the clipboard where the terminal allows OSC 52)"
        text={wrapHard(ui.overlay.text, width)}
        width={width}
        height={mainHeight}
        scroll={ui.overlay.scroll}
      />
    );
  else if (ui.overlay?.kind === 'metainfo')
    main = <TextOverlay title="Metainfo" text={ui.overlay.text} width={width} height={mainHeight} scroll={ui.overlay.scroll} />;
  else if (ui.overlay?.kind === 'settings')
    main = (
      <SettingsOverlay
        settings={settings}
        global={snapshot.global}
        host={remoteHostOf(snapshot, ui.selected)}
        cursor={ui.overlay.cursor}
        path={settingsAccess.path}
        width={width}
        height={mainHeight}
      />
    );
  else if (split) {
    const detailHeight = mainHeight - listHeight;
    main = (
      <Box flexDirection="column" height={mainHeight}>
        <TorrentList
          rows={rows}
          selected={ui.selected}
          selectedIndex={selectedIndex}
          width={width}
          height={listHeight}
          sort={ui.sort}
          descending={ui.descending}
          empty={emptyText(snapshot.torrents.length, ui.filter)}
          marked={marked}
          hostWidth={snapshot.global.hosts ? Math.max(...snapshot.global.hosts.map((h) => h.name.length)) : 0}
        />
        {selectedRow ? detailView(selectedRow, detailHeight, ui.screen === 'detail') : null}
      </Box>
    );
  } else if (ui.screen === 'detail' && selectedRow) main = detailView(selectedRow, mainHeight);
  else {
    const empty = emptyText(snapshot.torrents.length, ui.filter);
    main = (
      <TorrentList
        rows={rows}
        selected={ui.selected}
        selectedIndex={selectedIndex}
        width={width}
        height={mainHeight}
        sort={ui.sort}
        descending={ui.descending}
        empty={empty}
        marked={marked}
        hostWidth={snapshot.global.hosts ? Math.max(...snapshot.global.hosts.map((h) => h.name.length)) : 0}
      />
    );
  }

  return (
    <ThemeContext.Provider value={theme}>
      <Box flexDirection="column" width={width} height={height}>
        <Box height={1}>
          {ui.screen === 'detail' && !ui.overlay && !split ? (
            <Text bold color={theme.accent} wrap="truncate">
              {fit(`btui${demo ? ' demo' : ''}  ‹ detail`, width)}
            </Text>
          ) : (
            <ViewBar
              counts={list.counts}
              views={list.views}
              view={ui.view}
              sort={ui.sort}
              descending={ui.descending}
              filter={ui.filter}
              width={width}
              demo={demo}
              marked={ui.marked.length}
            />
          )}
        </Box>
        {/* Clipped at the bottom only: every line is already fitted to the width, and a horizontal
            clip has Ink re-slice each line (slice-ansi), a third of drawing a full list. */}
        <Box height={mainHeight} flexDirection="column" overflowY="hidden">
          {main}
        </Box>
        {logHeight > 0 ? <LogPane log={snapshot.log} width={width} height={logHeight} /> : null}
        {recovery && recoveryOpen ? (
          <QuestionLine text={recovery.question} width={width} />
        ) : ui.prompt ? (
          <PromptLine prompt={ui.prompt} width={width} hosts={snapshot.global.hosts} />
        ) : ui.question ? (
          <QuestionLine text={questionText(ui.question)} width={width} />
        ) : ui.confirm ? (
          <ConfirmLine confirm={ui.confirm} width={width} />
        ) : message ? (
          <MessageBar entry={message} width={width} />
        ) : ui.notice ? (
          <Text color={theme.good} wrap="truncate">
            {fit(ui.notice, width)}
          </Text>
        ) : null}
        <StatusBar global={snapshot.global} width={width} />
      </Box>
    </ThemeContext.Provider>
  );
}
