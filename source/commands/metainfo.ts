import { readMetainfoFileSync } from '../engine/metainfo/metainfo.js';
import { bindFlags } from './bind-flag-spec.js';
import { dhtFlags, dhtHelp } from './dht-flag-spec.js';
import { encryptionFlags, encryptionHelp } from './encryption-flag.js';
import { loadCommandPart } from './load-part.js';
import { tuneJitForSummary } from './metainfo-jit.js';
import { parseCommand, type ParsedCommand } from './parse-command.js';
import { writeStdout } from './write-stdout.js';
import { UserError } from '../errors.js';
import { metainfoJson } from '../format/metainfo-json.js';
import { metainfoSummaryBytes } from '../format/metainfo-summary.js';

// `metainfo -t` is meant to cost little more than Node's own start: everything a magnet needs
// (its parsing, the session, the DHT, the progress line) is in metainfo-magnet.ts, a bundle of
// its own, loaded only for a magnet.

const help = `
  Usage
    $ btui metainfo -t FILE.torrent [--json]   summarise a .torrent
    $ btui metainfo -m 'magnet:?...' [--json]  fetch a magnet's info dictionary from the swarm and summarise it

  Options
    -t, --torrent FILE   a .torrent file (a lone argument ending in .torrent works too)
    -m, --magnet URI     a magnet link (a lone argument starting with magnet: works too)
    --json               machine-readable output on stdout
    --save FILE          (magnet) also write the fetched .torrent to FILE
    --offline            (magnet) show only what the link itself holds; contact no one
    --timeout SECONDS    (magnet) give up fetching after this long (default 60)
    --peer HOST:PORT     (magnet) ask this peer too (repeatable)
    --port N             (magnet) listen port while fetching (default 0 = any)
    --bind ADDR          (magnet) every socket leaves from ADDR only
    --interface NAME     (magnet) the same with NAME's address; none while it has none
${dhtHelp}
${encryptionHelp}

  Examples
    $ btui metainfo -t ubuntu.torrent
    $ btui metainfo --json -t ubuntu.torrent | jq .infoHash
`;

export const metainfoFlags = {
  torrent: { type: 'string', shortFlag: 't' },
  magnet: { type: 'string', shortFlag: 'm' },
  json: { type: 'boolean', default: false },
  save: { type: 'string' },
  offline: { type: 'boolean', default: false },
  timeout: { type: 'number', default: 60 },
  peer: { type: 'string', isMultiple: true },
  port: { type: 'number', default: 0 },
  ...bindFlags,
  ...dhtFlags,
  ...encryptionFlags,
} as const;

export type MetainfoFlags = ParsedCommand<typeof metainfoFlags>['flags'];

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommand('metainfo', help, argv, metainfoFlags, { timeout: 'positive', port: 'port' });

  let { torrent, magnet } = cli.flags;
  const { json, save } = cli.flags;
  if (cli.input.length > 1) throw new UserError(`metainfo: unexpected argument '${cli.input[1]}'`, 2);
  const positional = cli.input[0];
  if (positional !== undefined) {
    if (torrent !== undefined || magnet !== undefined) throw new UserError(`metainfo: unexpected argument '${positional}'`, 2);
    if (/^magnet:/i.test(positional)) magnet = positional;
    else torrent = positional;
  }
  if (torrent !== undefined && magnet !== undefined) throw new UserError('metainfo: use either -t FILE.torrent or -m MAGNET, not both', 2);
  if (torrent === undefined && magnet === undefined)
    throw new UserError("metainfo: missing -t FILE.torrent or -m MAGNET (try 'btui metainfo --help')", 2);
  if (torrent === '') throw new UserError('metainfo: -t needs a file name', 2);

  if (magnet !== undefined) {
    // Its own bundle: the session, the DHT and the wire are nothing `metainfo -t` should read or compile.
    const { runMagnet } = await loadCommandPart<typeof import('./metainfo-magnet.js')>('metainfo-magnet');
    return runMagnet(magnet, cli.flags);
  }

  if (save !== undefined) throw new UserError('metainfo: --save goes with -m MAGNET (a .torrent file is already saved)', 2);
  tuneJitForSummary(torrent!);
  // The summary reads the file table; only --json makes the 10,000 file entries.
  const metainfo = readMetainfoFileSync(torrent!, { lazyFiles: true });
  if (json) writeStdout(`${JSON.stringify(metainfoJson(metainfo), null, 2)}\n`);
  else for (const part of metainfoSummaryBytes(metainfo)) writeStdout(part);
  return 0;
}
