import { writeFileSync, writeSync } from 'node:fs';
import type { Magnet } from '../engine/metainfo/magnet.js';
import { readMetainfoFile, type Metainfo } from '../engine/metainfo/metainfo.js';
import { bindFlags } from './bind-flag-spec.js';
import { dhtFlags, dhtHelp } from './dht-flag-spec.js';
import { magnetErrorText } from './magnet-error.js';
import { encryptionFlags, encryptionFromFlag, encryptionHelp } from './encryption-flag.js';
import { parseCommand } from './parse-command.js';
import { UserError } from '../errors.js';
import { keyValueBlock, type KeyValueRow } from '../format/key-value.js';
import { metainfoSummary } from '../format/metainfo-summary.js';
import { formatBytes, formatCount } from '../format/size.js';
import { printable } from '../format/text.js';

// `metainfo -t` is meant to cost little more than Node's own start: magnet parsing is loaded
// only for a magnet, and the session, the DHT and the progress line only when one is fetched.

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
    const { MagnetError, parseMagnet, parsePeerAddress } = await import('../engine/metainfo/magnet.js');
    let parsed: Magnet;
    try {
      parsed = parseMagnet(magnet);
    } catch (error) {
      if (error instanceof MagnetError) throw new UserError(`metainfo: ${magnetErrorText(error)}`);
      throw error;
    }
    if (cli.flags.offline) {
      if (save !== undefined) throw new UserError('metainfo: --save needs the info dictionary from the swarm, not --offline', 2);
      write(json ? `${JSON.stringify(magnetJson(parsed), null, 2)}\n` : magnetSummary(parsed));
      return 0;
    }
    for (const p of cli.flags.peer ?? []) {
      try {
        parsed.peers.push(parsePeerAddress(p));
      } catch {
        throw new UserError(`metainfo: bad --peer '${p}': expected HOST:PORT`, 2);
      }
    }
    const meta = await fetchMagnet(parsed, cli.flags);
    if (save !== undefined) {
      const { encodeTorrentFile } = await import('../engine/metainfo/encode-torrent-file.js');
      writeFileSync(save, encodeTorrentFile(meta));
    }
    write(json ? `${JSON.stringify(metainfoJson(meta), null, 2)}\n` : metainfoSummary(meta));
    return 0;
  }

  if (save !== undefined) throw new UserError('metainfo: --save goes with -m MAGNET (a .torrent file is already saved)', 2);
  const metainfo = await readMetainfoFile(torrent!);
  write(json ? `${JSON.stringify(metainfoJson(metainfo), null, 2)}\n` : metainfoSummary(metainfo));
  return 0;
}

async function fetchMagnet(
  magnet: Magnet,
  flags: { dht: boolean; dhtBootstrap?: string[]; timeout: number; port: number; bind?: string; interface?: string; encryption: string },
): Promise<Metainfo> {
  const [{ dhtOptionsFromFlags }, { Session }, { fetchMetadata }, { ProgressReporter }, { bindingFromFlags }] = await Promise.all([
    import('./dht-flags.js'),
    import('../engine/session/session.js'),
    import('./magnet-source.js'),
    import('./progress-reporter.js'),
    import('./bind-flags.js'),
  ]);
  const dht = dhtOptionsFromFlags(flags);
  if (magnet.peers.length === 0 && magnet.trackers.length === 0 && !dht) {
    throw new UserError(
      'metainfo: nothing to fetch the info dictionary from (no x.pe peers, no trackers, --no-dht); --offline shows what the magnet itself holds',
    );
  }
  const watch = bindingFromFlags(flags, 'metainfo');
  const session = new Session({
    port: flags.port,
    dht,
    bind: watch?.binding,
    encryption: encryptionFromFlag(flags.encryption, 'metainfo'),
  });
  // A live line on a terminal only: piped, stderr stays for the one-line error.
  const reporter = process.stderr.isTTY ? new ProgressReporter({ json: false, tty: true }) : undefined;
  try {
    await session.listen();
    return (await fetchMetadata(session, magnet, flags.timeout * 1000, reporter)).meta;
  } catch (error) {
    if (error instanceof UserError && /^no metadata/.test(error.message)) {
      throw new UserError(`metainfo: ${error.message}; --offline shows what the magnet itself holds`);
    }
    throw error;
  } finally {
    reporter?.stop();
    watch?.stop();
    await session.close();
  }
}

function write(text: string): void {
  // Straight to the descriptor: creating process.stdout loads the stream machinery (and net,
  // for a pipe), a few ms of a command meant to cost little more than Node's start.
  const bytes = Buffer.from(text);
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(1, bytes, done);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return endOfOutput(error);
    // A non-blocking stdout that is full: the stream waits for it to drain.
    process.stdout.on('error', endOfOutput);
    process.stdout.write(bytes.subarray(done));
  }
}

/** A reader that goes away early (`| head`) is not an error worth a stack. */
function endOfOutput(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code === 'EPIPE') process.exit(0);
  throw error;
}

export function metainfoJson(m: Metainfo) {
  return {
    infoHash: m.infoHash,
    ...(m.infoHashV2 ? { infoHashV2: m.infoHashV2 } : {}),
    name: m.name,
    length: m.length,
    contentLength: m.contentLength ?? m.length,
    pieceLength: m.pieceLength,
    pieceCount: m.pieceCount,
    private: m.private,
    announce: m.announce,
    urlList: m.urlList,
    files: m.files.map((f) => ({ path: f.path.join('/'), length: f.length, ...(f.padding ? { padding: true } : {}) })),
    creationDate: m.creationDate ?? null,
    createdBy: m.createdBy ?? null,
    comment: m.comment ?? null,
    source: m.source ?? null,
    version: m.version,
  };
}

export function magnetJson(m: Magnet) {
  return {
    infoHash: m.infoHash,
    ...(m.infoHashV2 ? { infoHashV2: m.infoHashV2 } : {}),
    name: m.name ?? null,
    length: m.length ?? null,
    trackers: m.trackers,
    webSeeds: m.webSeeds,
    peers: m.peers,
    ...(m.selectOnly ? { selectOnly: m.selectOnly } : {}),
  };
}

export function magnetSummary(m: Magnet): string {
  const rows: KeyValueRow[] = [['Name', m.name ?? '(not given)']];
  rows.push(['Info hash', m.infoHashV2 && m.infoHashV2.startsWith(m.infoHash) ? `${m.infoHash} (v2, truncated)` : m.infoHash]);
  if (m.infoHashV2) rows.push(['Info hash v2', m.infoHashV2]);
  if (m.length !== undefined) rows.push(['Size', `${formatBytes(m.length)} (${formatCount(m.length)} bytes)`]);
  rows.push(['Trackers', m.trackers.length > 0 ? m.trackers : ['none']]);
  if (m.webSeeds.length > 0) rows.push(['Web seeds', m.webSeeds]);
  if (m.peers.length > 0)
    rows.push(['Peers', m.peers.map((p) => (p.host.includes(':') ? `[${p.host}]:${p.port}` : `${p.host}:${p.port}`))]);
  if (m.selectOnly) rows.push(['Select only', m.selectOnly.join(', ')]);
  const note =
    'Note: this is what the magnet link itself holds (--offline). Without --offline, btui fetches the info dictionary (files, pieces) from the swarm.';
  return `${keyValueBlock(rows)}\n\n${printable(note)}\n`;
}
