import { parseInfoHash } from '../engine/metainfo/magnet.js';
import { MetainfoError, readMetainfoFile } from '../engine/metainfo/metainfo.js';
import { scrape, type ScrapeStats } from '../engine/discovery/tracker/index.js';
import { parseCommand } from './parse-command.js';
import { UserError } from '../errors.js';

const help = `
  Usage
    $ btui scrape -t TRACKER_URL -i HASH[,HASH...] [--json] [--timeout SECONDS]

  Options
    -t, --tracker URL     an http(s):// or udp:// tracker (its announce URL)
    -i, --info-hash LIST  info-hashes (40 hex or 32 base32 characters), comma-separated,
                          or .torrent files; -i may be given more than once.
                          Without -t, a .torrent's first tracker is used.
    --json                [{infoHash, seeders, leechers, completed}]; null where the
                          tracker reported nothing for a hash
    --timeout SECONDS     give up after this long (default 15); a UDP tracker gets
                          3 tries within it

  Examples
    $ btui scrape -t udp://tracker.example.org:6969/announce -i 2344a54073f6f0a4e77225674007f54ea30feaa3
    $ btui scrape -i ubuntu.torrent --json
`;

const UDP_TRIES = 3;

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommand('scrape', help, argv, {
    tracker: { type: 'string', shortFlag: 't' },
    infoHash: { type: 'string', shortFlag: 'i', isMultiple: true },
    json: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '15' },
  });
  if (cli.input.length > 0) throw new UserError(`scrape: unexpected argument '${cli.input[0]}' (hashes go after -i)`, 2);

  const timeoutSeconds = Number(cli.flags.timeout);
  if (!(timeoutSeconds > 0) || !Number.isFinite(timeoutSeconds))
    throw new UserError(`scrape: --timeout needs a positive number of seconds, got '${cli.flags.timeout}'`, 2);

  const items = (cli.flags.infoHash ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (items.length === 0) throw new UserError("scrape: missing -i HASH[,HASH...] (try 'btui scrape --help')", 2);

  const hashes: string[] = [];
  let trackerFromTorrent: string | undefined;
  for (const item of items) {
    const hash = parseHash(item);
    if (hash) {
      hashes.push(hash);
      continue;
    }
    const torrent = await readTorrent(item);
    hashes.push(torrent.infoHash);
    trackerFromTorrent ??= torrent.tracker;
  }
  const unique = [...new Set(hashes)];

  const tracker = cli.flags.tracker ?? trackerFromTorrent;
  if (tracker === undefined || tracker === '') throw new UserError("scrape: missing -t TRACKER_URL (try 'btui scrape --help')", 2);

  const timeoutMs = timeoutSeconds * 1000;
  const isUdp = /^udp:/i.test(tracker);
  // UDP retries double their wait (1+2+4 units), so the tries fill the time given.
  const stats = await scrape(
    tracker,
    unique.map((h) => Buffer.from(h, 'hex')),
    isUdp ? { udpBaseTimeoutMs: timeoutMs / (2 ** UDP_TRIES - 1), udpMaxTries: UDP_TRIES } : { timeoutMs },
  );

  process.stdout.write(cli.flags.json ? formatJson(unique, stats) : formatTable(unique, stats));
  return 0;
}

function parseHash(text: string): string | undefined {
  try {
    return parseInfoHash(text);
  } catch {
    return undefined;
  }
}

async function readTorrent(path: string): Promise<{ infoHash: string; tracker?: string }> {
  try {
    const metainfo = await readMetainfoFile(path);
    return { infoHash: metainfo.infoHash, tracker: metainfo.announce[0]?.[0] };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') {
      throw new UserError(`scrape: '${path}' is neither an info-hash (40 hex or 32 base32 characters) nor a .torrent file`, 2);
    }
    if (error instanceof MetainfoError) throw new UserError(error.message);
    throw error;
  }
}

type Row = { infoHash: string; seeders: number | null; leechers: number | null; completed: number | null };

function rows(hashes: string[], stats: Map<string, ScrapeStats>): Row[] {
  return hashes.map((infoHash) => {
    const s = stats.get(infoHash);
    return { infoHash, seeders: s?.complete ?? null, leechers: s?.incomplete ?? null, completed: s?.downloaded ?? null };
  });
}

function formatJson(hashes: string[], stats: Map<string, ScrapeStats>): string {
  return `${JSON.stringify(rows(hashes, stats), null, 2)}\n`;
}

function formatTable(hashes: string[], stats: Map<string, ScrapeStats>): string {
  const header = ['info-hash', 'seeders', 'leechers', 'completed'];
  const body = rows(hashes, stats).map((r) =>
    r.seeders === null
      ? [r.infoHash, 'not reported by the tracker']
      : [r.infoHash, String(r.seeders), String(r.leechers), String(r.completed)],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...body.filter((cells) => cells.length === 4).map((cells) => cells[i]!.length)));
  const line = (cells: string[]) =>
    cells.length === 4
      ? cells.map((c, i) => (i === 0 ? c.padEnd(widths[0]!) : c.padStart(widths[i]!))).join('  ')
      : `${cells[0]!.padEnd(widths[0]!)}  ${cells[1]}`;
  return `${[header, ...body].map(line).join('\n')}\n`;
}
