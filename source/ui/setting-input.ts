import { EDITABLE_SETTINGS, parseSettingInput, type EditableSetting, type Settings } from '../settings.js';
import { parseRateLimit, rateLimitText } from '../store/torrent-input.js';
import { formatRate } from '../format/duration.js';
import { scheduleText } from '../format/schedule.js';

/** A setting as the settings screen shows it: limits as rates ("512 KiB/s", "unlimited"). */
export function settingShown(settings: Settings, key: keyof Settings): string {
  const field = EDITABLE_SETTINGS.find((f) => f.key === key);
  const value = settings[key];
  if (field?.kind === 'rate') return typeof value === 'number' && value > 0 ? formatRate(value) : 'unlimited';
  return settingText(settings, key);
}

/** A setting as its prompt opens: limits in the CLI's KiB/s ("512", "1M"). */
export function settingText(settings: Settings, key: keyof Settings): string {
  const value = settings[key];
  const field = EDITABLE_SETTINGS.find((f) => f.key === key);
  if (field?.kind === 'rate') return rateLimitText(Number(value));
  if (field?.kind === 'schedule')
    return scheduleText({
      scheduled: settings.altSpeedScheduled,
      begin: settings.altSpeedBegin,
      end: settings.altSpeedEnd,
      days: settings.altSpeedDays,
    });
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Typed text read back into the setting's value, or why not; limits as the CLI takes them (KiB/s, or 512K, 1M). */
export function parseSetting(
  field: EditableSetting,
  typed: string,
): { value: string | number | boolean; patch?: Partial<Settings> } | { error: string } {
  if (field.kind !== 'rate') return parseSettingInput(field, typed);
  const parsed = parseRateLimit(typed, field.key === 'downloadLimit' || field.key === 'altDownloadLimit' ? 'download' : 'upload');
  return 'error' in parsed ? { error: parsed.error } : parsed;
}
