// Runs every test/**/*.test.ts(x) with node's test runner through tsx.
// Node 20's --test does not pick up .ts files from a directory, so the list is made here.
// Extra arguments filter by path substring: `node scripts/run-tests.mjs bencode metainfo`.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function walk(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else if (/\.test\.tsx?$/.test(entry)) out.push(relative(root, full));
  }
  return out;
}

const files = walk(join(root, 'test'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// A test file that hangs (seen once: a broken build left an interop file spinning for 18 min)
// fails after 15 minutes, instead of holding a run until CI's own limit. The whole suite takes
// about 3 minutes on a 2-core machine; the slowest file about a minute and a half.
const FILE_TIMEOUT_MS = 15 * 60 * 1000;
// Every btui the tests start reads and writes its settings and resume data here, never in the
// user's own ~/.config/btui and ~/.local/share/btui: a turtle mode left on there once slowed a
// CI run's daemon to 100 kB/s.
const xdg = mkdtempSync(join(tmpdir(), 'btui-tests-xdg-'));
const env = { ...process.env, XDG_CONFIG_HOME: join(xdg, 'config'), XDG_DATA_HOME: join(xdg, 'data') };
mkdirSync(env.XDG_CONFIG_HOME);
mkdirSync(env.XDG_DATA_HOME);
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', `--test-timeout=${FILE_TIMEOUT_MS}`, ...files],
  { cwd: root, stdio: 'inherit', env },
);
rmSync(xdg, { recursive: true, force: true });
process.exit(result.status ?? 1);
