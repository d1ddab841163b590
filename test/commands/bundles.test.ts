import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { bundleStamp, compileBundle } from '../../source/bundle-loader.js';
import { encode } from '../../source/engine/codec/bencode.js';
import { CLI } from '../helpers/cli.js';
import { tempDir } from '../helpers/tools.js';

const distribution = dirname(CLI);
const COMMANDS = ['bencode', 'metainfo', 'create', 'scrape', 'download', 'serve'];

test('the built CLI: a small CommonJS entry, one bundle per command and one for the TUI, the daemon as an ES module', () => {
  assert.equal(JSON.parse(readFileSync(join(distribution, 'package.json'), 'utf8')).type, 'commonjs');
  // The entry only dispatches (and shows the TUI's saved first frame): no command's code is in it.
  assert.ok(statSync(CLI).size < 27_000, `cli.js is ${statSync(CLI).size} bytes`);
  assert.doesNotMatch(readFileSync(CLI, 'utf8'), /class Session|function parseMetainfo/);
  for (const name of COMMANDS) {
    const bundle = join(distribution, `command-${name}.js`);
    // import() is lost on code from a V8 code cache (Node 20): ES modules come through esm-import.js.
    assert.doesNotMatch(readFileSync(bundle, 'utf8'), /\bimport\("/, `command-${name}.js calls import() itself`);
  }
  // The TUI too runs from a code cache (its first run writes it): no import() of its own either.
  assert.doesNotMatch(readFileSync(join(distribution, 'tui.js'), 'utf8'), /\bimport\("/, 'tui.js calls import() itself');
  assert.ok(existsSync(join(distribution, 'daemon.mjs')));
  for (const name of COMMANDS) {
    const help = spawnSync(process.execPath, [CLI, name, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, `${name} --help: ${help.stderr}`);
    assert.match(help.stdout, new RegExp(`btui ${name}`));
  }
});

test('metainfo -t reads no session: the magnet path is a bundle of its own', () => {
  const torrentPath = readFileSync(join(distribution, 'command-metainfo.js'), 'utf8');
  assert.doesNotMatch(torrentPath, /\bSession = class\b|function parseMagnet/);
  assert.ok(torrentPath.length < 100_000, `command-metainfo.js is ${torrentPath.length} bytes`);
  assert.match(readFileSync(join(distribution, 'command-metainfo-magnet.js'), 'utf8'), /\bSession = class\b/);
});

test('the offline commands have a code cache from the build, and this Node accepts it', () => {
  for (const name of ['bencode', 'metainfo', 'create', 'download', 'serve']) {
    const { cacheRejected } = compileBundle(join(distribution, `command-${name}.js`));
    assert.equal(cacheRejected, false, `command-${name}.js.cache`);
  }
});

test('a damaged, foreign or stale code cache costs only the compile: the command still works', (t) => {
  const dir = tempDir(t);
  const copy = join(dir, 'distribution');
  cpSync(distribution, copy, { recursive: true });
  // Packages resolve from beside the copy as from beside the original.
  symlinkSync(join(distribution, '..', 'node_modules'), join(dir, 'node_modules'));
  const input = join(dir, 'x.bencode');
  writeFileSync(input, encode(new Map([['a', 1]])));
  const bundle = join(copy, 'command-bencode.js');
  const cache = `${bundle}.cache`;
  // The copy is another file: its cache, stamped for it.
  const good = Buffer.concat([bundleStamp(bundle), readFileSync(cache).subarray(16)]);
  writeFileSync(cache, good);
  const bencodeWorks = () => {
    const run = spawnSync(process.execPath, [join(copy, 'cli.js'), 'bencode', '-f', input], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { a: 1 });
  };
  // Each check compiles in a fresh process: V8 keeps what this one compiled and would not look at a cache again.
  const rejected = () =>
    spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import { compileBundle } from ${JSON.stringify(join(distribution, '..', 'source', 'bundle-loader.ts'))}; console.log(compileBundle(${JSON.stringify(bundle)}).cacheRejected)`,
      ],
      { encoding: 'utf8' },
    ).stdout.trim();

  assert.equal(rejected(), 'false', 'the copy uses its cache');
  bencodeWorks();

  writeFileSync(cache, Buffer.concat([good.subarray(0, 16), Buffer.alloc(4096, 0x5a)]));
  assert.equal(rejected(), 'true', 'damaged');
  bencodeWorks();

  // Another bundle's cache, stamped as this one's: V8 refuses it (another length of source).
  writeFileSync(cache, Buffer.concat([good.subarray(0, 16), readFileSync(join(copy, 'command-create.js.cache')).subarray(16)]));
  assert.equal(rejected(), 'true', 'foreign');
  bencodeWorks();

  // The bundle changed after its cache was made, to the same length (V8 alone would take the cache).
  writeFileSync(cache, good);
  const source = readFileSync(bundle, 'utf8');
  const edited = source.replace('"use strict";', "'use strict';");
  assert.ok(edited !== source && edited.length === source.length);
  writeFileSync(bundle, edited);
  assert.equal(rejected(), 'undefined', 'stale: not even offered to V8');
  bencodeWorks();
});
