import { EDITABLE_SETTINGS, type Settings } from '../settings.js';
import { parseIdleGoal, parseLabels, parseRateLimit, parseRatioGoal } from '../store/torrent-input.js';
import type { AppCommands, SettingsAccess, StoreView } from './app-props.js';
import { parseSetting, settingShown } from './setting-input.js';
import { HOST_SETTING_KEYS } from './settings-overlay.js';
import type { Prompt, UiState } from './ui-state.js';

export interface PromptContext {
  commands: AppCommands;
  settingsAccess: SettingsAccess;
  store: Pick<StoreView, 'log'>;
  onSettingsChanged?: (change: Partial<Settings>) => void;
  /** A later change to the UI state, when an answer comes back (an add refused, a torrent made). */
  update(change: (state: UiState) => UiState): void;
}

/** Enter in a prompt: acts on its text and returns the state after it (the prompt closed, or kept open with the reason). */
export function submitPromptText(prompt: Prompt, state: UiState, context: PromptContext): UiState {
  const { commands, settingsAccess, store, onSettingsChanged, update } = context;
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
          update((s) => {
            if (s.prompt || s.confirm || s.question || s.overlay) return s;
            return { ...s, prompt: { kind: 'add', text: prompt.text, hash: prompt.hash, host: prompt.host, error: result.error } };
          });
        });
      return { ...state, prompt: undefined };
    case 'create':
      if (text) {
        void commands.create(text).then((magnets) => {
          if (magnets.length > 0) update((s) => ({ ...s, notice: `magnet: ${magnets.join(' ')}` }));
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
      // Only what was typed: a value changed meanwhile elsewhere (over the RPC) is not written back.
      const change = parsed.patch ?? ({ [field.key]: value } as Partial<Settings>);
      const next = settingsAccess.update(change);
      onSettingsChanged?.(change);
      store.log('info', `setting ${field.label}: ${settingShown(next, field.key)}`);
      return { ...state, prompt: undefined };
    }
  }
}
