import { Box, Text, useInput, useStdout } from 'ink';
import { rowKey } from '../store/row.js';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { ListView } from '../store/list-view.js';
import { DetailView } from './detail-view.js';
import { osc52 } from './clipboard.js';
import { fit, wrapHard } from './fit.js';
import { HelpOverlay } from './help-overlay.js';
import { buildKeymap, keyName, type InkKey } from './keymap.js';
import { LogPane } from './log-pane.js';
import { hasControlKey, keyOfChar } from './key-chunks.js';
import { editLine, type EditKey } from './line-edit.js';
import { MESSAGE_MS, MessageBar, pickMessage } from './message-bar.js';
import { ConfirmLine, PromptLine, QuestionLine, promptHeight, questionText } from './prompt-line.js';
import { isForwardDelete, useRawInput } from './raw-input.js';
import { runAction } from './run-action.js';
import { overlayKey } from './overlay-keys.js';
import { remoteHostOf, SettingsOverlay } from './settings-overlay.js';
import { StatusBar } from './status-bar.js';
import { colourLevel, makeTheme } from './theme.js';
import { ThemeContext } from './theme-context.js';
import { TextOverlay } from './text-overlay.js';
import { TorrentList } from './torrent-list.js';
import { ViewBar } from './view-bar.js';
import { initialUiState, reconcileSelection, restoredList, type Prompt, type UiState } from './ui-state.js';

import type { AppProps } from './app-props.js';
import { submitPromptText } from './submit-prompt.js';

export type { AppCommands, AppProps, RecoveryQuestion, SettingsAccess, StoreView } from './app-props.js';

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
  const settings = useSyncExternalStore(settingsAccess.subscribe, settingsAccess.read);
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
    (prompt: Prompt, state: UiState): UiState =>
      submitPromptText(prompt, state, {
        commands,
        settingsAccess,
        store,
        onSettingsChanged,
        update: (change) =>
          setUiState((s) => {
            const next = change(s);
            if (next !== s) uiRef.current = next;
            return next;
          }),
      }),
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

      const answered = overlayKey(state, name, { keymap, mainHeight, snapshot: store.getSnapshot(), settings });
      if (answered !== undefined) {
        if (answered !== state) setState(answered);
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
  const torrentList = (listRows: number) => (
    <TorrentList
      rows={rows}
      selected={ui.selected}
      selectedIndex={selectedIndex}
      width={width}
      height={listRows}
      sort={ui.sort}
      descending={ui.descending}
      empty={emptyText(snapshot.torrents.length, ui.filter)}
      marked={marked}
      hostWidth={snapshot.global.hosts ? Math.max(...snapshot.global.hosts.map((h) => h.name.length)) : 0}
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
        {torrentList(listHeight)}
        {selectedRow ? detailView(selectedRow, detailHeight, ui.screen === 'detail') : null}
      </Box>
    );
  } else if (ui.screen === 'detail' && selectedRow) main = detailView(selectedRow, mainHeight);
  else main = torrentList(mainHeight);

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
