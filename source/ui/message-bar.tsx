import { Text } from 'ink';
import type { LogEntry } from '../store/types.js';
import { fit } from './fit.js';
import { useTheme } from './theme-context.js';

/** How long after a key its warnings count as the answer to it ("has no metadata yet"). */
export const WARN_AFTER_KEY_MS = 2000;
/** How long a message stays when no key is pressed. */
export const MESSAGE_MS = 15_000;

/**
 * The log entry the message bar shows: the newest error not yet dismissed, or a warning that
 * came just after a key (tracker warnings arrive on their own all the time and stay in the log).
 */
export function pickMessage(log: readonly LogEntry[], dismissedId: number, lastKeyAt: number): LogEntry | undefined {
  for (let i = log.length - 1; i >= 0; i--) {
    const entry = log[i]!;
    if (entry.id <= dismissedId) return undefined;
    if (entry.level === 'error') return entry;
    if (entry.level === 'warn' && entry.at >= lastKeyAt && entry.at - lastKeyAt <= WARN_AFTER_KEY_MS) return entry;
  }
  return undefined;
}

export function MessageBar({ entry, width }: { entry: LogEntry; width: number }) {
  const theme = useTheme();
  return (
    <Text bold color={entry.level === 'error' ? theme.bad : theme.warn} wrap="truncate">
      {fit(`! ${entry.text}`, width)}
    </Text>
  );
}
