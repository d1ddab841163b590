import { renderToString } from 'ink';
import { Controller } from '../store/controller.js';
import { FrozenSource } from '../store/frozen-source.js';
import type { SourceGlobal, SourceRow } from '../store/source.js';
import { TorrentStore } from '../store/torrent-store.js';
import { App, type SettingsAccess } from './app.js';

export interface FirstFrameInput {
  /** The saved session's rows as the next start lists them before any torrent opens (store/session-preview.ts). */
  rows: ReadonlyMap<string, SourceRow>;
  /** The status line's figures as they are before the session has measured anything. */
  figures: SourceGlobal;
  settings: SettingsAccess;
  demo: boolean;
  width: number;
  height: number;
}

/** The TUI's first frame for a session, drawn by the same components as the live screen. */
export function drawFirstFrame(input: FirstFrameInput): string {
  const store = new TorrentStore([new FrozenSource(input.rows, input.figures)]);
  store.refresh();
  return renderToString(
    <App
      store={store}
      commands={new Controller(store)}
      settings={input.settings}
      demo={input.demo}
      width={input.width}
      height={input.height}
      onQuit={() => undefined}
    />,
    { columns: input.width },
  );
}
