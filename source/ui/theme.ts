import type { ColourMode } from '../settings.js';

export type ColourLevel = 'none' | '16' | 'full';

/** Colours by meaning; every one is undefined when colours are off, so text stays plain. */
export interface Theme {
  level: ColourLevel;
  accent?: string;
  dim?: string;
  good?: string;
  warn?: string;
  bad?: string;
  info?: string;
  barDone?: string;
  barTodo?: string;
  state: Record<string, string | undefined>;
  /** Piece heatmap. */
  have?: string;
  downloading?: string;
  /** Missing pieces by how many peers have them: index 0 = nobody, then 1, 2, 3, 4+ . */
  availability: (string | undefined)[];
}

/** NO_COLOR (any value) wins, then the setting, then what the terminal says it can do. */
export function colourLevel(
  setting: ColourMode,
  env: NodeJS.ProcessEnv = process.env,
  depth = process.stdout.getColorDepth?.() ?? 4,
): ColourLevel {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 'none';
  if (setting === 'none') return 'none';
  if (setting === '16') return '16';
  if (depth <= 1) return 'none';
  return depth >= 8 ? 'full' : '16';
}

export function makeTheme(level: ColourLevel): Theme {
  if (level === 'none') return { level, state: {}, availability: [undefined, undefined, undefined, undefined, undefined] };
  const full = level === 'full';
  return {
    level,
    accent: 'cyan',
    dim: 'gray',
    good: 'green',
    warn: 'yellow',
    bad: 'red',
    info: 'blue',
    barDone: 'green',
    barTodo: 'gray',
    state: { downloading: 'cyan', seeding: 'green', paused: 'gray', checking: 'yellow', metadata: 'magenta', queued: 'blue', error: 'red' },
    have: 'green',
    downloading: 'yellow',
    // 16 colours: red for nobody, blues for few, cyan for many; full: a blue ramp.
    availability: full ? ['#d03030', '#3b4f8a', '#4a6fc0', '#5b93e6', '#7cc4ff'] : ['red', 'blue', 'blue', 'cyan', 'cyan'],
  };
}
