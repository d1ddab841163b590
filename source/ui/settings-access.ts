import type { Settings } from '../settings.js';
import type { SettingsAccess } from './app-props.js';

/**
 * Settings with no session under them (remote hosts only, a drawn frame, a test): `save` keeps a
 * change (by default only here) and returns the settings after it; subscribers hear of it.
 */
export function settingsHeldHere(
  initial: Settings,
  path: string,
  save: (patch: Partial<Settings>, current: Settings) => Settings = (patch, current) => ({ ...current, ...patch }),
): SettingsAccess {
  let settings = initial;
  const listeners = new Set<() => void>();
  return {
    path,
    read: () => settings,
    update: (patch) => {
      settings = save(patch, settings);
      for (const listener of listeners) listener();
      return settings;
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
