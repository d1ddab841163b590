import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { needs, tempDir } from '../helpers/tools.js';
import { cli, ensureBuilt, testHome, Tmux } from './tmux.js';

test("the TUI's first run writes its code cache once loaded; the next run's V8 accepts it", { timeout: 120_000 }, async (t) => {
  if (!needs(t, { commands: ['tmux'] })) return;
  ensureBuilt();
  const dir = tempDir(t);
  // A copy of the build without a cache, as a fresh install is.
  const copy = join(dir, 'distribution');
  cpSync(join(cli, '..'), copy, { recursive: true, filter: (source) => !source.endsWith('tui.js.cache') });
  symlinkSync(join(cli, '..', '..', 'node_modules'), join(dir, 'node_modules'));
  const bundle = join(copy, 'tui.js');
  assert.equal(existsSync(`${bundle}.cache`), false);

  const tmux = new Tmux();
  t.after(() => tmux.kill());
  tmux.start(`${testHome(dir, { dht: false })} ${process.execPath} ${join(copy, 'cli.js')}; echo "EXITED $?"; sleep 60`, 100, 30);
  await tmux.waitFor((s) => /\? help\s*$/m.test(s), 'the first frame', 60_000);
  tmux.keys('q');
  await tmux.waitFor((s) => s.includes('EXITED 0'), 'the exit', 60_000);
  assert.ok(existsSync(`${bundle}.cache`), 'tui.js.cache written by the first run');

  // In a fresh process: V8 keeps what one process compiled and would not look at a cache again.
  const loader = join(cli, '..', '..', 'source', 'bundle-loader.ts');
  const check = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `import { compileBundle } from ${JSON.stringify(loader)}; console.log(compileBundle(${JSON.stringify(bundle)}).cacheRejected)`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(check.stdout.trim(), 'false', `the cache is accepted: ${check.stderr}`);
});
