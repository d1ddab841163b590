import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import meow, { type AnyFlags } from 'meow';
import { parseSimpleFlags } from '../../source/commands/simple-flags.js';
import { metainfoFlags } from '../../source/commands/metainfo.js';

// parseSimpleFlags may decline any line (meow then parses it); what it accepts it must parse
// exactly as meow does, since the CLI uses it instead of meow for those lines.

const mixed = {
  torrent: { type: 'string', shortFlag: 't' },
  output: { type: 'string', default: 'out' },
  seedRatio: { type: 'number' },
  port: { type: 'number', default: 0, shortFlag: 'p' },
  json: { type: 'boolean', default: false },
  dht: { type: 'boolean', default: true },
  quiet: { type: 'boolean', shortFlag: 'q' },
  peer: { type: 'string', isMultiple: true },
  announce: { type: 'string', isMultiple: true, shortFlag: 'a', default: ['http://x/'] },
  size: { type: 'number', isMultiple: true },
} as const satisfies AnyFlags;

function meowParse(argv: string[], flags: AnyFlags) {
  const cli = meow('help', { importMeta: import.meta, argv, description: false, allowUnknownFlags: true, flags });
  return { input: cli.input, flags: { ...cli.flags } };
}

const tokens = fc.constantFrom(
  '--torrent',
  '-t',
  '--output',
  '--seed-ratio',
  '--seedRatio',
  '--port',
  '-p',
  '--json',
  '--dht',
  '--no-dht',
  '-q',
  '--quiet',
  '--no-json',
  '--no-quiet',
  '--no-port',
  '--no-dht=false',
  '--no-peer',
  '--no-nothing',
  '--no-offline',
  '--peer',
  '--announce',
  '-a',
  '--size',
  '--magnet',
  '-m',
  '--save',
  '--offline',
  '--timeout',
  '--dht-bootstrap',
  '--torrent=a.torrent',
  '--port=6881',
  '--port=1.5',
  '--port=0x10',
  '--peer=1.2.3.4:5',
  "--torrent='q'",
  '--torrent=',
  '--json=false',
  '--size=3',
  '--timeout=30',
  '--dht-bootstrap=h:1',
  '--help',
  '--version',
  '--',
  '-',
  '-x',
  '--unknown',
  '-tq',
  '-5',
  '--port=-1',
  'a.torrent',
  'magnet:?xt=urn:btih:00',
  '6881',
  '1.5',
  '12abc',
  'true',
  'false',
  '',
  "'quoted'",
  'h:1',
  'x=y',
);

for (const [name, flags] of [
  ['mixed', mixed],
  ['metainfo', metainfoFlags],
] as const) {
  test(`simple flag parsing agrees with meow wherever it answers (${name} flags)`, () => {
    let answered = 0;
    fc.assert(
      fc.property(fc.array(tokens, { maxLength: 7 }), (argv) => {
        const simple = parseSimpleFlags(argv, flags);
        if (!simple) return;
        answered++;
        assert.deepEqual(simple, meowParse(argv, flags), argv.join(' '));
      }),
      { numRuns: 3000 },
    );
    assert.ok(answered > 300, `only ${answered} lines parsed without meow`);
  });
}

test('the lines users type are parsed without meow', () => {
  for (const argv of [
    [],
    ['-t', 'a.torrent'],
    ['--json', '-t', 'a.torrent'],
    ['a.torrent', '--json'],
    ['-m', 'magnet:?xt=urn:btih:00', '--timeout', '30', '--peer', 'h:1', '--peer', 'h:2'],
    ['-m', 'magnet:?xt=urn:btih:00', '--no-dht'],
  ]) {
    assert.deepEqual(parseSimpleFlags(argv, metainfoFlags), meowParse(argv, metainfoFlags), argv.join(' '));
  }
  for (const argv of [
    ['--help'],
    ['--version'],
    ['--no-timeout'],
    ['--dht', '--no-dht'],
    ['-t', 'a', '-t', 'b'],
    ['--bogus'],
    ['--', '-t'],
  ]) {
    assert.equal(parseSimpleFlags(argv, metainfoFlags), undefined, argv.join(' '));
  }
});
