// The layer rules of docs/architecture.md, as data, and a reader of a source file's imports.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface ImportRef {
  /** The file that imports, relative to the source root (e.g. 'engine/torrent/torrent.ts'). */
  from: string;
  /** A relative import resolved against the source root ('store/row.js'), or a package name ('ink'). */
  target: string;
  typeOnly: boolean;
  line: number;
}

export interface Rule {
  /** Files under this folder (or this file) of the source root... */
  layer: string;
  /** ...may not import from these folders, files or packages... */
  forbidden: string[];
  /** ...except as types (import type), when true. */
  typesAllowed?: boolean;
  why: string;
}

export const RULES: Rule[] = [
  {
    layer: 'engine/',
    forbidden: [
      'store/',
      'service/',
      'rpc/',
      'ui/',
      'commands/',
      'session-state/',
      'demo/',
      'tui.tsx',
      'cli.tsx',
      'settings.ts',
      'config.ts',
      'react',
      'ink',
    ],
    why: 'the engine knows nothing of front-ends',
  },
  {
    layer: 'service/',
    forbidden: ['store/', 'rpc/', 'ui/', 'commands/', 'demo/', 'tui.tsx', 'cli.tsx', 'settings.ts', 'config.ts', 'react', 'ink'],
    why: 'the service is below every front-end (TUI store, RPC, daemon): it may use the engine, session-state, format and errors only',
  },
  {
    layer: 'store/',
    forbidden: ['ui/', 'commands/', 'tui.tsx', 'cli.tsx', 'react', 'ink'],
    why: 'the store is below the UI and beside the subcommands',
  },
  {
    layer: 'session-state/',
    forbidden: ['service/', 'store/', 'ui/', 'commands/', 'tui.tsx', 'cli.tsx', 'react', 'ink'],
    why: 'the session file format and lock are below the service',
  },
  { layer: 'commands/', forbidden: ['ui/', 'store/', 'tui.tsx', 'react', 'ink'], why: 'subcommands never load the TUI (start-up cost)' },
  { layer: 'format/', forbidden: ['store/', 'service/', 'ui/', 'commands/', 'session-state/', 'react', 'ink'], why: 'formatting is pure' },
  { layer: 'format/', forbidden: ['engine/'], typesAllowed: true, why: 'formatting reads engine types, runs no engine code' },
  {
    layer: 'ui/',
    forbidden: ['engine/', 'service/', 'commands/', 'session-state/'],
    typesAllowed: true,
    why: 'the UI reaches the engine and the service only through the store (types excepted)',
  },
  {
    layer: 'host/',
    forbidden: ['store/', 'ui/', 'tui.tsx', 'cli.tsx', 'react', 'ink'],
    why: 'a session host serves every front-end, the screenless daemon included',
  },
  { layer: 'daemon.ts', forbidden: ['store/', 'ui/', 'tui.tsx', 'react', 'ink'], why: 'the daemon has no screen' },
  {
    layer: 'rpc/',
    forbidden: ['store/', 'ui/', 'commands/', 'session-state/', 'demo/', 'tui.tsx', 'cli.tsx', 'react', 'ink'],
    why: 'the RPC is a front-end: it reaches btui through the service layer (service-backend.ts)',
  },
  { layer: 'rpc/', forbidden: ['engine/'], typesAllowed: true, why: 'the RPC reads engine types, runs no engine code' },
  {
    layer: 'remote/',
    forbidden: [
      'engine/',
      'service/',
      'session-state/',
      'host/',
      'rpc/',
      'ui/',
      'commands/',
      'demo/',
      'tui.tsx',
      'cli.tsx',
      'settings.ts',
      'config.ts',
      'react',
      'ink',
    ],
    why: 'the remote source is a Transmission RPC client: it knows the wire and the store, never the engine or the service',
  },
  {
    layer: 'remote/',
    forbidden: ['store/'],
    typesAllowed: true,
    why: "the remote source implements the store's source interface (types only)",
  },
];

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every import and re-export of one file's text, with relative targets resolved against `root`. */
export function importsOf(text: string, file: string, root: string): ImportRef[] {
  const refs: ImportRef[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[4] ?? m[5]!;
    const clause = m[3] ?? '';
    // `import { type A, type B } from` is as type-only as `import type { A, B } from`.
    const names = /^\{([^}]*)\}$/.exec(clause.trim());
    const allTypes =
      names !== null &&
      names[1]!
        .split(',')
        .filter((n) => n.trim())
        .every((n) => /^\s*type\s/.test(n));
    const typeOnly = m[5] === undefined && (m[2] !== undefined || allTypes);
    const target = spec.startsWith('.') ? relative(root, resolve(dirname(file), spec)) : spec;
    refs.push({
      from: relative(root, file),
      target,
      typeOnly,
      line: text.slice(0, m.index).split('\n').length + (m[0].startsWith('\n') ? 1 : 0),
    });
  }
  return refs;
}

function matches(target: string, pattern: string): boolean {
  if (pattern.endsWith('/')) return target.startsWith(pattern);
  if (/\.(ts|tsx)$/.test(pattern)) return target.replace(/\.js$/, '') === pattern.replace(/\.tsx?$/, '');
  return target === pattern || target.startsWith(`${pattern}/`);
}

/** The imports that break a rule, as readable lines. */
export function violations(refs: ImportRef[], rules: Rule[] = RULES): string[] {
  const out: string[] = [];
  for (const ref of refs) {
    for (const rule of rules) {
      if (!matches(ref.from, rule.layer)) continue;
      const hit = rule.forbidden.find((p) => matches(ref.target, p));
      if (!hit || (rule.typesAllowed && ref.typeOnly)) continue;
      out.push(`${ref.from}:${ref.line} imports ${ref.target} (${rule.why})`);
    }
  }
  return out;
}

export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (/\.tsx?$/.test(entry)) out.push(full);
  }
  return out;
}

export function projectImports(root: string): ImportRef[] {
  return sourceFiles(root).flatMap((file) => importsOf(readFileSync(file, 'utf8'), file, root));
}
