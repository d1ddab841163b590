import { Box, Text } from 'ink';
import type { Confirm, Prompt, Question } from './ui-state.js';
import { fit } from './fit.js';
import { useTheme } from './theme-context.js';

export const PROMPT_LABELS: Record<Prompt['kind'], string> = {
  add: 'Add (path, URL, magnet or info-hash; Tab completes): ',
  create: 'New torrent from (paths, comma-separated; Tab completes): ',
  filter: 'Filter: ',
  setting: 'Value: ',
  labels: 'Labels (comma-separated; empty clears): ',
  move: 'Move data to (Tab completes): ',
  seedRatio: 'Seed ratio goal (2, 1.5, global, unlimited): ',
  seedIdle: 'Seed idle goal (90m, 2h, global, unlimited): ',
  downloadLimit: 'Download limit (KiB/s, 512K, 1M; 0 = none): ',
  uploadLimit: 'Upload limit (KiB/s, 512K, 1M; 0 = none): ',
};

/** The one-line prompt, with completion choices above it when Tab was ambiguous. */
export function PromptLine({ prompt, width }: { prompt: Prompt; width: number }) {
  const theme = useTheme();
  const label = PROMPT_LABELS[prompt.kind];
  const room = Math.max(1, width - label.length - 1);
  const shown = prompt.text.length > room ? `…${prompt.text.slice(-(room - 1))}` : prompt.text;
  return (
    <Box flexDirection="column">
      {prompt.candidates && prompt.candidates.length > 0 ? (
        <Text color={theme.dim} wrap="truncate">
          {fit(prompt.candidates.join('  '), width)}
        </Text>
      ) : null}
      <Text wrap="truncate">
        <Text color={theme.accent}>{label}</Text>
        {shown}
        <Text inverse> </Text>
      </Text>
    </Box>
  );
}

export function confirmText(confirm: Confirm): string {
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
