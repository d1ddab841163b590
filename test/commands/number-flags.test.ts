import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from '../../source/engine/codec/bencode.js';
import { checkNumberFlags } from '../../source/commands/number-flags.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tools.js';
import { randomTorrent } from '../helpers/swarm.js';

test('checkNumberFlags: NaN names the text typed, ranges name what is expected', () => {
  const specs = { port: { type: 'number' }, limit: { type: 'number' }, name: { type: 'string' } } as const;
  assert.throws(
    () => checkNumberFlags('x', ['--limit', 'abc'], specs, { limit: Number.NaN }, { limit: 'nonNegative' }),
    /^UserError: x: --limit 'abc': expected a number, 0 or more$/,
  );
  assert.throws(
    () => checkNumberFlags('x', ['--port=99999'], specs, { port: 99999 }, { port: 'port' }),
    /--port 99999: expected a port, 0-65535/,
  );
  assert.throws(() => checkNumberFlags('x', ['--port', '1.5'], specs, { port: 1.5 }, { port: 'port' }), /expected a port/);
  checkNumberFlags(
    'x',
    ['--port', '0', '--limit', '12.5'],
    specs,
    { port: 0, limit: 12.5, name: 'abc' },
    { port: 'port', limit: 'positive' },
  );
});

test('subcommand values are checked before anything runs: one line, exit code 2', async (t) => {
  const torrentPath = join(tempDir(t), 'x.torrent');
  writeFileSync(torrentPath, encode(randomTorrent({ sizes: [10] }).meta.raw));
  const out = tempDir(t);
  const env = { BTUI_HOME: tempDir(t) };
  const cases: [string[], RegExp][] = [
    [
      ['download', '-t', torrentPath, '--download-limit', 'abc'],
      /^btui: download: --download-limit 'abc': expected a number, 0 or more\n$/,
    ],
    [['download', '-t', torrentPath, '--seed-time', 'abc'], /^btui: download: --seed-time 'abc': expected a number above 0\n$/],
    [['download', '-t', torrentPath, '--seed-ratio=x'], /^btui: download: --seed-ratio 'x': expected a number above 0\n$/],
    [['download', '-t', torrentPath, '--port', '99999'], /^btui: download: --port 99999: expected a port, 0-65535\n$/],
    [['download', '-t', torrentPath, '--max-peers', '-3'], /^btui: download: --max-peers -3: expected a whole number, 1 or more\n$/],
    [['serve', '-f', torrentPath, '--port', '99999'], /^btui: serve: --port 99999: expected a port, 0-65535\n$/],
    [['metainfo', '--timeout', 'soon', '-m', 'magnet:?dn=x'], /^btui: metainfo: --timeout 'soon': expected a number above 0\n$/],
  ];
  for (const [args, expected] of cases) {
    const result = await runCli(args[0] === 'download' ? [...args, '-o', out, '--no-dht'] : args, { env });
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, expected, args.join(' '));
  }
  const magnet = await runCli(['download', 'magnet:?dn=foo', '--no-dht', '-o', out], { env });
  assert.equal(magnet.code, 1);
  assert.match(magnet.stderr, /^btui: unusable magnet link: no info-hash \(xt=urn:btih:\.\.\. or xt=urn:btmh:\.\.\.\)\n$/);
});
