import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CLI, runCli, type CliResult } from '../helpers/cli.js';
import { needs, tempDir } from '../helpers/tools.js';

function mktorrent(dir: string, target: string, extra: string[] = []): Buffer {
  const out = join(dir, 'made.torrent');
  const result = spawnSync('mktorrent', ['-a', 'http://127.0.0.1:6969/announce', '-c', 'a $comment', '-o', out, ...extra, target], {
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  return readFileSync(out);
}

function assertOneLineError(result: CliResult, message: RegExp): void {
  assert.notEqual(result.code, 0);
  assert.equal(result.stdout, '');
  const lines = result.stderr.split('\n');
  assert.equal(lines.length, 2, `expected one line on stderr, got: ${result.stderr}`);
  assert.equal(lines[1], '');
  assert.match(lines[0]!, message);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
}

describe('btui bencode', () => {
  test('a mktorrent .torrent goes to JSON and back to the same bytes', async (t) => {
    if (!needs(t, { commands: ['mktorrent'] })) return;
    const dir = tempDir(t);
    mkdirSync(join(dir, 'payload', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'payload', 'a.bin'), Buffer.alloc(70_000, 7));
    writeFileSync(join(dir, 'payload', 'sub', 'b.txt'), 'hello\n');
    const original = mktorrent(dir, join(dir, 'payload'), ['-l', '15']);
    const torrentPath = join(dir, 'made.torrent');

    const shown = await runCli(['bencode', '-f', torrentPath]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(shown.stderr, '');
    const json = JSON.parse(shown.stdout);
    assert.equal(json.announce, 'http://127.0.0.1:6969/announce');
    assert.equal(json.comment, 'a $comment');
    assert.equal(json.info['piece length'], 32768);
    assert.match(json.info.pieces.$hex, /^([0-9a-f]{40})+$/);
    assert.deepEqual(
      json.info.files.map((f: { path: string[] }) => f.path),
      [['a.bin'], ['sub', 'b.txt']],
    );

    const jsonPath = join(dir, 'made.json');
    writeFileSync(jsonPath, shown.stdout);
    const outPath = join(dir, 'again.torrent');
    const encoded = await runCli(['bencode', '--encode', jsonPath, '-o', outPath]);
    assert.equal(encoded.code, 0, encoded.stderr);
    assert.equal(encoded.stdout, '');
    assert.deepEqual(readFileSync(outPath), original);

    const toStdout = await runCli(['bencode', '--encode', jsonPath]);
    assert.equal(toStdout.code, 0, toStdout.stderr);
    assert.deepEqual(toStdout.stdoutBytes, original);
  });

  test('stdin works both ways, and --json is accepted', async (t) => {
    const bytes = Buffer.concat([Buffer.from('d5:nodes6:'), Buffer.from([127, 0, 0, 1, 0x1a, 0xe1]), Buffer.from('1:t2:aa1:y1:re')]);
    const shown = await runCli(['bencode', '-f', '-', '--json'], { input: bytes });
    assert.equal(shown.code, 0, shown.stderr);
    assert.deepEqual(JSON.parse(shown.stdout), { nodes: { $hex: '7f0000011ae1' }, t: 'aa', y: 'r' });
    for (const flag of ['--encode', '--encode=-']) {
      const args = flag === '--encode' ? ['bencode', flag, '-'] : ['bencode', flag];
      const encoded = await runCli(args, { input: shown.stdout });
      assert.equal(encoded.code, 0, encoded.stderr);
      assert.deepEqual(encoded.stdoutBytes, bytes);
    }
    const longFlag = await runCli(['bencode', '--file', '-'], { input: bytes });
    assert.equal(longFlag.stdout, shown.stdout);
    t.diagnostic('stdin round trip ok');
  });

  test('a broken file is one line naming the file and the problem', async (t) => {
    const dir = tempDir(t);
    const file = join(dir, 't.torrent');
    writeFileSync(file, 'd8:announcei012ee');
    assertOneLineError(
      await runCli(['bencode', '-f', file]),
      new RegExp(`^btui: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: integer has a leading zero at byte 12$`),
    );
    writeFileSync(file, `${'l'.repeat(100_000)}`);
    assertOneLineError(await runCli(['bencode', '-f', file]), /: nesting too deep at byte 256$/);
    assertOneLineError(await runCli(['bencode', '-f', '-'], { input: 'd1:a' }), /^btui: stdin: unexpected end of data at byte 4$/);
    assertOneLineError(await runCli(['bencode', '-f', join(dir, 'missing.torrent')]), /^btui: no such file: .*missing\.torrent$/);
  });

  test('bad JSON or values outside the mapping are one line', async (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'x.json');
    writeFileSync(file, '{"info": {\n"pieces": \n');
    assertOneLineError(await runCli(['bencode', '--encode', file, '-o', join(dir, 'out')]), /^btui: .*x\.json: invalid JSON: /);
    writeFileSync(file, '{"info": {"length": 1.5}}');
    assertOneLineError(
      await runCli(['bencode', '--encode', file, '-o', join(dir, 'out')]),
      /^btui: .*x\.json: at \.info\.length: 1\.5 is not an integer$/,
    );
    assertOneLineError(
      await runCli(['bencode', '--encode', '-'], { input: '{"a": {"$hex": "xyz"}}' }),
      /^btui: stdin: at \.a: "\$hex" must hold/,
    );
  });

  test('unsorted keys: one warning line, output still printed', async () => {
    const result = await runCli(['bencode', '-f', '-'], { input: 'd1:bi1e1:ai2ee' });
    assert.equal(result.code, 0);
    assert.equal(result.stdout, '{\n  "b": 1,\n  "a": 2\n}\n');
    assert.match(
      result.stderr,
      /^btui: warning: stdin: dictionary keys are not in sorted order; --encode would write them sorted \(canonical\)[^\n]*\n$/,
    );
    const sorted = await runCli(['bencode', '--encode', '-'], { input: result.stdout });
    assert.equal(sorted.stdout, 'd1:ai2e1:bi1ee');
  });

  test('usage mistakes are one line with exit code 2', async () => {
    assertOneLineError(await runCli(['bencode']), /missing -f FILE or --encode/);
    assertOneLineError(await runCli(['bencode', '-f', 'a', '--encode', 'b']), /either -f FILE or --encode/);
    assertOneLineError(await runCli(['bencode', '--bogus', '-f', 'a']), /unknown option --bogus/);
    assertOneLineError(await runCli(['bencode', 'file.torrent']), /unexpected argument 'file.torrent'/);
    assertOneLineError(await runCli(['bencode', '-f', 'a', '-o', 'b']), /-o goes with --encode/);
    const result = await runCli(['bencode']);
    assert.equal(result.code, 2);
  });

  test('--encode refuses to write binary to a terminal', async (t) => {
    if (!needs(t, { commands: ['script'] })) return;
    const dir = tempDir(t);
    writeFileSync(join(dir, 'x.json'), '{"a": 1}');
    // script(1) gives the command a pseudo-terminal as stdout
    const result = spawnSync('script', ['-qec', `'${process.execPath}' '${CLI}' bencode --encode x.json`, '/dev/null'], {
      cwd: dir,
      encoding: 'utf8',
    });
    assert.equal(result.status, 2);
    assert.match(result.stdout, /not writing binary bencode to a terminal/);
    assert.doesNotMatch(result.stdout, /d1:a/);
  });

  test('--help documents the mapping', async () => {
    const result = await runCli(['bencode', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /btui bencode -f FILE/);
    assert.match(result.stdout, /\{"\$hex": "\.\.\."\}/);
    assert.match(result.stdout, /\{"\$int": "123\.\.\."\}/);
    assert.match(result.stdout, /"\$hex:\.\.\."/);
    assert.match(result.stdout, /"\$\$"/);
  });
});
