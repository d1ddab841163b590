import { Box, Text } from 'ink';
import type { HostTotals } from '../store/types.js';
import type { Confirm, Prompt, Question } from './ui-state.js';
import { fit } from './fit.js';
import { useTheme } from './theme-context.js';

export const PROMPT_LABELS: Record<Prompt['kind'], string> = {
  add: 'Add (path, URL, magnet or info-hash; Tab completes): ',
  create: 'New torrent from (paths, comma-separated; Tab completes): ',
  filter: 'Filter (name, state:seeding, #label): ',
  setting: 'Value: ',
  globalSeedRatio: 'Seed ratio goal for every torrent on "global" (2, 1.5, unlimited): ',
  globalSeedIdle: 'Seed idle goal for every torrent on "global" (90m, 2h, unlimited): ',
  labels: 'Labels (comma-separated; empty clears): ',
  move: 'Move data to (Tab completes): ',
  seedRatio: 'Seed ratio goal (2, 1.5, global, unlimited): ',
  seedIdle: 'Seed idle goal (90m, 2h, global, unlimited): ',
  downloadLimit: 'Download limit (KiB/s, 512K, 1M; 0 = none): ',
  uploadLimit: 'Upload limit (KiB/s, 512K, 1M; 0 = none): ',
};

/** The prompt's label; the add prompt with several hosts names the host it adds to ('?' until one is chosen). */
export function promptLabel(prompt: Prompt, hosts?: readonly HostTotals[]): string {
  if (prompt.kind !== 'add' || !prompt.host) return PROMPT_LABELS[prompt.kind];
  const name = prompt.host.index === undefined ? undefined : hosts?.[prompt.host.index]?.name;
  return `Add to [${name ?? '?'}] (path, URL, magnet, info-hash; Shift-Tab: host; Tab completes): `;
}

/** The one-line prompt with its cursor; above it, why the last Enter was refused, or the completion choices. */
export function PromptLine({ prompt, width, hosts }: { prompt: Prompt; width: number; hosts?: readonly HostTotals[] }) {
  const theme = useTheme();
  const label = promptLabel(prompt, hosts);
  const { before, under, after } = promptWindow(prompt.text, prompt.cursor ?? prompt.text.length, Math.max(2, width - label.length));
  return (
    <Box flexDirection="column">
      {prompt.error ? (
        <Text bold color={theme.bad} wrap="truncate">
          {fit(`! ${prompt.error}`, width)}
        </Text>
      ) : prompt.candidates && prompt.candidates.length > 0 ? (
        <Text color={theme.dim} wrap="truncate">
          {fit(prompt.candidates.join('  '), width)}
        </Text>
      ) : null}
      <Text wrap="truncate">
        <Text color={theme.accent}>{label}</Text>
        {before}
        <Text inverse>{under}</Text>
        {after}
      </Text>
    </Box>
  );
}

/** Lines a prompt takes on screen. */
export function promptHeight(prompt: Prompt): number {
  return prompt.error || prompt.candidates?.length ? 2 : 1;
}

/**
 * The part of the text that fits `room` columns with the cursor in view: what is before the
 * cursor, the character under it (a space at the end), and what follows; '…' where cut.
 */
export function promptWindow(text: string, cursor: number, room: number): { before: string; under: string; after: string } {
  const at = Math.max(0, Math.min(text.length, cursor));
  const chars = [...text.slice(0, at)];
  const rest = [...text.slice(at)];
  const under = rest[0] ?? ' ';
  // Before the cursor: as much as fits while leaving the cursor cell and a little of what follows.
  const keepAfter = Math.min(rest.length > 1 ? rest.length - 1 : 0, Math.floor(room / 3));
  const roomBefore = Math.max(0, room - 1 - keepAfter);
  const before = chars.length > roomBefore ? `…${chars.slice(chars.length - Math.max(0, roomBefore - 1)).join('')}` : chars.join('');
  const roomAfter = Math.max(0, room - 1 - [...before].length);
  const tail = rest.slice(1);
  const after = tail.length > roomAfter ? `${tail.slice(0, Math.max(0, roomAfter - 1)).join('')}…` : tail.join('');
  return { before, under, after };
}

export function confirmText(confirm: Confirm): string {
  const n = confirm.hashes?.length;
  if (n !== undefined)
    return confirm.kind === 'removeData'
      ? `Remove ${n} marked torrents AND DELETE their data (${confirm.path}, …)? (y/N)`
      : `Remove ${n} marked torrents from the session (their data stays)? (y/N)`;
  if (confirm.path === '') return `Remove "${confirm.name}" (its metadata has not arrived; nothing on disk)? (y/N)`;
  return confirm.kind === 'removeData'
    ? `Remove "${confirm.name}" AND DELETE ${confirm.path}? (y/N)`
    : `Remove "${confirm.name}" from the session (data stays in ${confirm.path})? (y/N)`;
}

export function ConfirmLine({ confirm, width }: { confirm: Confirm; width: number }) {
  const theme = useTheme();
  return (
    <Text bold color={confirm.kind === 'removeData' ? theme.bad : theme.warn} wrap="truncate">
      {fit(confirmText(confirm), width)}
    </Text>
  );
}

export function questionText(question: Question): string {
  const n = question.active;
  return `quit and stop ${n} active torrent${n === 1 ? '' : 's'}? (y/n) — \`btui daemon\` would keep seeding`;
}

/** A question of its own (quit, recovery): one bold line. */
export function QuestionLine({ text, width }: { text: string; width: number }) {
  const theme = useTheme();
  return (
    <Text bold color={theme.warn} wrap="truncate">
      {fit(text, width)}
    </Text>
  );
}
