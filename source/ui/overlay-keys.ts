import { EDITABLE_SETTINGS, type Settings } from '../settings.js';
import type { Snapshot } from '../store/types.js';
import { helpLines } from './help-overlay.js';
import type { Keymap } from './keymap.js';
import { settingText } from './setting-input.js';
import { GLOBAL_GOAL_ROWS, globalGoalTexts, HOST_SETTING_KEYS, remoteHostOf, settingsFor } from './settings-overlay.js';
import type { UiState } from './ui-state.js';

export interface OverlayKeyContext {
  keymap: Keymap;
  /** The overlay's height on screen, for paging. */
  mainHeight: number;
  snapshot: Snapshot;
  settings: Settings;
}

/**
 * A key while an overlay is open (help, metainfo, magnet, settings): the state after it (the same
 * object when the key does nothing there), or undefined when no overlay is open.
 */
export function overlayKey(state: UiState, name: string | undefined, context: OverlayKeyContext): UiState | undefined {
  const { keymap, mainHeight, snapshot, settings } = context;
  const overlay = state.overlay;
  if (overlay?.kind === 'help' || overlay?.kind === 'metainfo' || overlay?.kind === 'magnet') {
    const lines = overlay.kind === 'help' ? helpLines(keymap.bindings).length : overlay.text.split('\n').length;
    const max = Math.max(0, lines - (mainHeight - 1));
    const page = Math.max(1, mainHeight - 2);
    const moved = name === undefined ? undefined : keymap.lookup(name);
    const delta = moved === 'up' ? -1 : moved === 'down' ? 1 : moved === 'pageUp' ? -page : moved === 'pageDown' ? page : 0;
    if (delta !== 0) return { ...state, overlay: { ...overlay, scroll: Math.max(0, Math.min(max, overlay.scroll + delta)) } };
    if (
      name === 'escape' ||
      moved === 'back' ||
      moved === 'quit' ||
      (overlay.kind === 'help' && moved === 'help') ||
      (overlay.kind === 'metainfo' && moved === 'metainfo') ||
      (overlay.kind === 'magnet' && moved === 'copyMagnet')
    ) {
      return { ...state, overlay: undefined };
    }
    return state;
  }
  if (overlay?.kind === 'settings') {
    const count = EDITABLE_SETTINGS.length + GLOBAL_GOAL_ROWS;
    const moved = name === undefined ? undefined : keymap.lookup(name);
    if (moved === 'up') return { ...state, overlay: { ...overlay, cursor: (overlay.cursor + count - 1) % count } };
    if (moved === 'down') return { ...state, overlay: { ...overlay, cursor: (overlay.cursor + 1) % count } };
    if (name === 'return' || moved === 'open') {
      const goal = overlay.cursor - EDITABLE_SETTINGS.length;
      // With a remote row selected, the limits and global goals are its host's (the prompt names the row).
      const host = remoteHostOf(snapshot, state.selected);
      const hash = host ? state.selected : undefined;
      if (goal >= 0) {
        const text = globalGoalTexts(host ?? snapshot.global)[goal]!;
        return { ...state, prompt: { kind: goal === 0 ? 'globalSeedRatio' : 'globalSeedIdle', text, hash } };
      }
      const field = EDITABLE_SETTINGS[overlay.cursor]!;
      const own = HOST_SETTING_KEYS.includes(field.key) ? hash : undefined;
      const text = settingText(own ? settingsFor(settings, host) : settings, field.key);
      return { ...state, prompt: { kind: 'setting', settingKey: field.key, text, hash: own } };
    }
    if (name === 'escape' || moved === 'back' || moved === 'quit') return { ...state, overlay: undefined };
    return state;
  }
  return undefined;
}
