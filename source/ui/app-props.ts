import type { Settings } from '../settings.js';
import type { Completion } from '../store/path-complete.js';
import type { IdleGoal, RatioGoal } from '../store/torrent-input.js';
import type { Snapshot } from '../store/types.js';
import type { Commands } from './run-action.js';

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
  /** The per-torrent prompts (L, M, R, T, D, U): values already checked. */
  setLabels(hash: string, labels: string[]): Promise<void>;
  move(hash: string, directory: string): Promise<unknown>;
  setSeedGoals(hash: string, goals: RatioGoal | IdleGoal): Promise<void>;
  setTorrentLimits(hash: string, limits: { download?: number; upload?: number }): Promise<void>;
  /** The defaults for torrents whose goals are 'global' (null = none), of the host of the row `key` names. */
  setGlobalSeedGoals(goals: { ratio?: number | null; idleMinutes?: number | null }, key?: string): Promise<void> | void;
}

/** The settings as the screen shows and edits them: in a session, its host's (the service's own fields as the service has them). */
export interface SettingsAccess {
  /** The same object until a change. */
  read(): Settings;
  /** Applies and saves only the fields given. */
  update(patch: Partial<Settings>): Settings;
  /** Calls `listener` after each change, whoever made it (the screen, a key, the RPC); returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
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
  /** After the settings screen changed these fields: what needs more than a re-render (the watch directory). */
  onSettingsChanged?: (change: Partial<Settings>) => void;
  /** Shown over everything at start until answered y or n: the saved session could not be used. */
  recovery?: RecoveryQuestion;
}

export interface RecoveryQuestion {
  title: string;
  text: string;
  question: string;
  answer(yes: boolean): void;
}
