import { Box, Text, useInput } from 'ink';
import { rowKey } from '../store/row.js';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { EDITABLE_SETTINGS, parseSettingInput, type Settings } from '../settings.js';
import type { Completion } from '../store/path-complete.js';
import { parseIdleGoal, parseLabels, parseRateLimit, parseRatioGoal, type IdleGoal, type RatioGoal } from '../store/torrent-input.js';
import type { Snapshot } from '../store/types.js';
import { visibleRows } from '../store/view.js';
import { DetailView } from './detail-view.js';
import { fit } from './fit.js';
import { HelpOverlay, helpLines } from './help-overlay.js';
import { buildKeymap, keyName, type InkKey } from './keymap.js';
import { LogPane } from './log-pane.js';
import { ConfirmLine, PromptLine, QuestionLine, questionText } from './prompt-line.js';
import { runAction, type Commands } from './run-action.js';
import { SettingsOverlay, settingText } from './settings-overlay.js';
import { StatusBar } from './status-bar.js';
import { colourLevel, makeTheme } from './theme.js';
import { ThemeContext } from './theme-context.js';
import { TextOverlay } from './text-overlay.js';
import { TorrentList } from './torrent-list.js';
import { ViewBar } from './view-bar.js';
import { initialUiState, reconcileSelection, type Prompt, type UiState } from './ui-state.js';

export interface StoreView {
  subscribe(listener: () => void): () => void;
  getSnapshot(): Snapshot;
  focus(hash: string | undefined): void;
  log(level: 'info' | 'warn' | 'error', text: string): void;
}

export interface AppCommands extends Commands {
  /** `key`: the selected row, whose host the torrent goes to. */
  add(text: string, key?: string): Promise<unknown>;
  create(text: string): Promise<string[]>;
  remove(hash: string, deleteData: boolean): Promise<void>;
  setLimits(limits: { download: number; upload: number }): void;
  /** The per-torrent prompts (L, M, R, T, D, U): values already checked. */
  setLabels(hash: string, labels: string[]): Promise<void>;
  move(hash: string, directory: string): Promise<unknown>;
  setSeedGoals(hash: string, goals: RatioGoal | IdleGoal): Promise<void>;
  setTorrentLimits(hash: string, limits: { download?: number; upload?: number }): Promise<void>;
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
  const [rawState, setUiState] = useState<UiState>(initialUiState);
  const keymap = useMemo(() => buildKeymap(settings.keymapPreset, settings.keys), [settings.keymapPreset, settings.keys]);
  const theme = useMemo(() => makeTheme(colourLevel(settings.colours)), [settings.colours]);
  const rows = useMemo(
    () =>
      visibleRows(snapshot.torrents, {
        view: rawState.view,
        filter: rawState.filter,
        sort: rawState.sort,
        descending: rawState.descending,
      }),
    [snapshot.torrents, rawState.view, rawState.filter, rawState.sort, rawState.descending],
  );
  const ui = reconcileSelection(rawState, rows);
  const uiRef = useRef(ui);
  uiRef.current = ui;

  useEffect(() => {
    for (const problem of keymap.problems) store.log('warn', problem);
  }, [keymap, store]);

  useEffect(() => {
    store.focus(ui.screen === 'detail' ? ui.selected : undefined);
  }, [store, ui.screen, ui.selected]);

  const promptLines = recoveryOpen
    ? 1
    : ui.prompt
      ? 1 + (ui.prompt.candidates?.length ? 1 : 0)
      : ui.confirm || ui.question || ui.notice
        ? 1
        : 0;
  const logHeight = ui.showLog ? Math.min(12, Math.max(4, Math.floor(height / 4))) : 0;
  const mainHeight = Math.max(3, height - 2 - logHeight - promptLines);

  const submitPrompt = useCallback(
    (prompt: Prompt, state: UiState): UiState => {
      const text = prompt.text.trim();
      switch (prompt.kind) {
        case 'add':
          if (text) void commands.add(text, prompt.hash);
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
          if (prompt.hash) void commands.setLabels(prompt.hash, parseLabels(prompt.text));
          return { ...state, prompt: undefined };
        case 'move':
          if (prompt.hash && text) void commands.move(prompt.hash, text);
          return { ...state, prompt: undefined };
        case 'seedRatio':
        case 'seedIdle':
        case 'downloadLimit':
        case 'uploadLimit': {
          // A refused value changes nothing: the torrent keeps the value the prompt opened with.
          const hash = prompt.hash;
          if (!hash) return { ...state, prompt: undefined };
          const parsed =
            prompt.kind === 'seedRatio'
              ? parseRatioGoal(text)
              : prompt.kind === 'seedIdle'
                ? parseIdleGoal(text)
                : parseRateLimit(text, prompt.kind === 'downloadLimit' ? 'download' : 'upload');
          if ('error' in parsed) {
            store.log('warn', `${parsed.error}; unchanged`);
            return { ...state, prompt: undefined };
          }
          const value = parsed.value;
          if (typeof value === 'number')
            void commands.setTorrentLimits(hash, prompt.kind === 'downloadLimit' ? { download: value } : { upload: value });
          else void commands.setSeedGoals(hash, value);
          return { ...state, prompt: undefined };
        }
        case 'setting': {
          const field = EDITABLE_SETTINGS.find((f) => f.key === prompt.settingKey);
          if (!field) return { ...state, prompt: undefined };
          const parsed = parseSettingInput(field, text);
          if ('error' in parsed) {
            store.log('warn', parsed.error);
            return { ...state, prompt: undefined };
          }
          const value = parsed.value;
          const next = settingsAccess.update({ [field.key]: value } as Partial<Settings>);
          setSettings(next);
          if (field.key === 'downloadLimit' || field.key === 'uploadLimit')
            commands.setLimits({ download: next.downloadLimit, upload: next.uploadLimit });
          onSettingsChanged?.(next);
          store.log('info', `setting ${field.label}: ${settingText(next, field.key)}`);
          return { ...state, prompt: undefined };
        }
      }
    },
    [commands, settingsAccess, store, onSettingsChanged],
  );

  const onKey = useCallback(
    (input: string, key: InkKey): void => {
      const state = uiRef.current;
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
      // Keys typed faster than they are read arrive as one chunk ("jj", "name\r"): one at a time.
      const plain = !key.ctrl && !key.meta && !key.return && !key.tab && !key.escape && !key.backspace && !key.delete;
      if (plain && [...input].length > 1 && !(state.prompt && !/[\r\n\x7f\b]/.test(input))) {
        const keyOf = (ch: string): InkKey =>
          ch === '\r' || ch === '\n' ? { return: true } : ch === '\x7f' ? { delete: true } : ch === '\b' ? { backspace: true } : {};
        for (const ch of input) onKey(/[\r\n\x7f\b]/.test(ch) ? '' : ch, keyOf(ch));
        return;
      }
      const name = keyName(input, key);

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
        if (input === 'y' || input === 'Y') void commands.remove(state.confirm.hash, state.confirm.kind === 'removeData');
        setState({ ...state, confirm: undefined });
        return;
      }

      if (state.prompt) {
        const prompt = state.prompt;
        const live = (text: string): UiState => ({
          ...state,
          prompt: { ...prompt, text, candidates: undefined },
          ...(prompt.kind === 'filter' ? { filter: text } : {}),
        });
        if (name === 'return') return setState(submitPrompt(prompt, state));
        if (name === 'escape') return setState({ ...state, prompt: undefined, ...(prompt.kind === 'filter' ? { filter: '' } : {}) });
        if (name === 'backspace' || name === 'delete') return setState(live(prompt.text.slice(0, -1)));
        if (name === 'C-u') return setState(live(''));
        if (name === 'tab' && complete && (prompt.kind === 'add' || prompt.kind === 'create' || prompt.kind === 'move')) {
          // Complete the last comma-separated part (create takes several paths).
          const cut = prompt.kind === 'create' ? prompt.text.lastIndexOf(',') + 1 : 0;
          const head = prompt.text.slice(0, cut);
          const lead = prompt.text.slice(cut).match(/^\s*/)![0];
          void complete(prompt.text.slice(cut).trimStart()).then((result) =>
            setUiState((s) =>
              s.prompt === prompt ? { ...s, prompt: { ...prompt, text: head + lead + result.text, candidates: result.candidates } } : s,
            ),
          );
          return;
        }
        if (key.ctrl || key.meta || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.tab) return;
        // eslint-disable-next-line no-control-regex
        const typed = input.replace(/[\u0000-\u001f\u007f]/g, '');
        if (typed) setState(live(prompt.text + typed));
        return;
      }

      const overlay = state.overlay;
      if (overlay?.kind === 'help' || overlay?.kind === 'metainfo') {
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
          (overlay.kind === 'metainfo' && moved === 'metainfo')
        ) {
          setState({ ...state, overlay: undefined });
        }
        return;
      }
      if (overlay?.kind === 'settings') {
        const count = EDITABLE_SETTINGS.length;
        const moved = name === undefined ? undefined : keymap.lookup(name);
        if (moved === 'up') return setState({ ...state, overlay: { ...overlay, cursor: (overlay.cursor + count - 1) % count } });
        if (moved === 'down') return setState({ ...state, overlay: { ...overlay, cursor: (overlay.cursor + 1) % count } });
        if (name === 'return' || moved === 'open') {
          const field = EDITABLE_SETTINGS[overlay.cursor]!;
          return setState({ ...state, prompt: { kind: 'setting', settingKey: field.key, text: settingText(settings, field.key) } });
        }
        if (name === 'escape' || moved === 'back' || moved === 'quit') setState({ ...state, overlay: undefined });
        return;
      }

      if (name === undefined) return;
      const action = keymap.lookup(name);
      if (!action) return;
      const next = runAction(action, { state, rows, snapshot: store.getSnapshot(), pageSize: mainHeight - 1, commands, quit: onQuit });
      if (next !== state) setState(next);
    },
    [commands, complete, keymap, mainHeight, onQuit, recovery, rows, settings, store, submitPrompt],
  );
  useInput(onKey);

  const selectedRow = rows.find((r) => rowKey(r) === ui.selected) ?? snapshot.torrents.find((r) => rowKey(r) === ui.selected);
  let main;
  if (recovery && recoveryOpen)
    main = <TextOverlay title={recovery.title} text={recovery.text} width={width} height={mainHeight} scroll={0} hint="" />;
  else if (ui.overlay?.kind === 'help')
    main = <HelpOverlay bindings={keymap.bindings} width={width} height={mainHeight} scroll={ui.overlay.scroll} />;
  else if (ui.overlay?.kind === 'metainfo')
    main = <TextOverlay title="Metainfo" text={ui.overlay.text} width={width} height={mainHeight} scroll={ui.overlay.scroll} />;
  else if (ui.overlay?.kind === 'settings')
    main = <SettingsOverlay settings={settings} cursor={ui.overlay.cursor} path={settingsAccess.path} width={width} height={mainHeight} />;
  else if (ui.screen === 'detail' && selectedRow)
    main = (
      <DetailView
        row={selectedRow}
        detail={snapshot.detail}
        global={snapshot.global}
        tab={ui.tab}
        fileCursor={ui.fileCursor}
        scroll={ui.detailScroll}
        width={width}
        height={mainHeight}
      />
    );
  else {
    const empty =
      snapshot.torrents.length === 0
        ? 'No torrents yet: press a to add one, n to make one, ? for help.'
        : `Nothing in this view${ui.filter ? ` matching "${ui.filter}"` : ''} (v changes the view, Esc clears the filter).`;
    main = (
      <TorrentList
        rows={rows}
        selected={ui.selected}
        width={width}
        height={mainHeight}
        sort={ui.sort}
        descending={ui.descending}
        empty={empty}
        hostWidth={snapshot.global.hosts ? Math.max(...snapshot.global.hosts.map((h) => h.name.length)) : 0}
      />
    );
  }

  return (
    <ThemeContext.Provider value={theme}>
      <Box flexDirection="column" width={width} height={height}>
        <Box height={1}>
          {ui.screen === 'detail' && !ui.overlay ? (
            <Text bold color={theme.accent} wrap="truncate">
              {fit(`btui${demo ? ' demo' : ''}  ‹ detail`, width)}
            </Text>
          ) : (
            <ViewBar
              rows={snapshot.torrents}
              view={ui.view}
              sort={ui.sort}
              descending={ui.descending}
              filter={ui.filter}
              width={width}
              demo={demo}
            />
          )}
        </Box>
        <Box height={mainHeight} flexDirection="column" overflow="hidden">
          {main}
        </Box>
        {logHeight > 0 ? <LogPane log={snapshot.log} width={width} height={logHeight} /> : null}
        {recovery && recoveryOpen ? (
          <QuestionLine text={recovery.question} width={width} />
        ) : ui.prompt ? (
          <PromptLine prompt={ui.prompt} width={width} />
        ) : ui.question ? (
          <QuestionLine text={questionText(ui.question)} width={width} />
        ) : ui.confirm ? (
          <ConfirmLine confirm={ui.confirm} width={width} />
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
