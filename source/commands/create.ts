import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { createTorrent, parsePieceLength } from '../engine/metainfo/create-torrent.js';
import { HashPool, type HashProgress } from '../engine/hashing/hasher.js';
import { takeStartedWorkers } from '../engine/hashing/started-workers.js';
import { magnetURI } from '../engine/metainfo/magnet.js';
import { UserError } from '../errors.js';
import { keyValueBlock } from '../format/key-value.js';
import { formatBytes, formatCount } from '../format/size.js';
import { formatRate } from '../format/duration.js';
import { hashWorkerCount } from './hash-workers.js';
import { parseCommand } from './parse-command.js';

const help = `
  Usage
    $ btui create PATH [-o OUT.torrent] [options]

  Makes a .torrent (BitTorrent v1) from a file or a directory. A directory is walked
  recursively: hidden files are included and symlinks are followed, as mktorrent does
  (the output file itself is left out when it lies inside the directory).

  Options
    -o, --output FILE     where to write the .torrent (default: NAME.torrent here)
    -l, --piece-length N  piece size: auto (default, aims at 1000-2000 pieces), a power
                          of two in bytes (262144), with a suffix (256K, 1M, 4MiB), or a
                          log2 exponent as in mktorrent (18 = 256 KiB, 20 = 1 MiB);
                          16 KiB to 256 MiB
    -a, --announce URL    a tracker; repeat for backup tiers; 'URL1,URL2' in one -a puts
                          several trackers in the same tier
    -w, --web-seed URL    a web seed (BEP 19); repeatable, or comma separated
    -p, --private         set the private flag (no DHT/PEX; changes the info-hash)
    -c, --comment TEXT    a comment
    -s, --source TEXT     a source tag inside the info dict (changes the info-hash)
    --no-date             leave out the creation date (reproducible output)
    -f, --force           overwrite OUT.torrent if it exists
    --json                print the result as JSON on stdout

  Examples
    $ btui create ./album -o album.torrent -a udp://tracker.example:6969/announce
    $ btui create big.iso -l 4M -a http://t1/announce,http://t2/announce -a http://backup/announce
`;

const flagSpecs = {
  output: { type: 'string', shortFlag: 'o' },
  pieceLength: { type: 'string', shortFlag: 'l', default: 'auto' },
  announce: { type: 'string', shortFlag: 'a', isMultiple: true },
  webSeed: { type: 'string', shortFlag: 'w', isMultiple: true },
  private: { type: 'boolean', shortFlag: 'p', default: false },
  comment: { type: 'string', shortFlag: 'c' },
  source: { type: 'string', shortFlag: 's' },
  date: { type: 'boolean', default: true },
  force: { type: 'boolean', shortFlag: 'f', default: false },
  json: { type: 'boolean', default: false },
} as const;

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommand('create', help, argv, flagSpecs);
  if (cli.input.length === 0)
    throw new UserError("create: missing PATH, the file or directory to make a torrent of (try 'btui create --help')", 2);
  if (cli.input.length > 1) throw new UserError(`create: unexpected argument '${cli.input[1]}' (try 'btui create --help')`, 2);
  const flags = cli.flags;
  const path = cli.input[0]!;
  // Workers boot while the tree is walked; built, the CLI's entry started them already.
  const pool = new HashPool({ size: hashWorkerCount(), started: takeStartedWorkers(), oneShot: true });
  pool.warm();

  const pieceLength = parsePieceLength(flags.pieceLength);
  const announce = (flags.announce ?? []).map(splitList).filter((tier) => tier.length > 0);
  const urlList = (flags.webSeed ?? []).flatMap(splitList);
  if (flags.output === '') throw new UserError('create: -o needs a file name', 2);
  const output = resolve(flags.output ?? `${basename(resolve(path))}.torrent`);
  if (!flags.force && existsSync(output)) throw new UserError(`${flags.output ?? output} already exists (use --force to overwrite)`);
  // Said before the data is read and hashed, not after.
  if (!existsSync(dirname(output)))
    throw new UserError(`create: cannot write ${flags.output ?? output}: no such directory ${dirname(output)}`);

  const bar = process.stderr.isTTY && !flags.json ? new ProgressBar() : undefined;
  const started = performance.now();
  let made;
  try {
    made = await createTorrent({
      path,
      pieceLength,
      announce,
      urlList,
      private: flags.private,
      comment: flags.comment,
      source: flags.source,
      creationDate: flags.date ? undefined : false,
      onProgress: bar && ((p) => bar.update(p)),
      pool,
      useCallerThread: 'throughout',
      exclude: [output],
    });
  } catch (error) {
    await pool.close();
    throw error;
  } finally {
    bar?.clear();
  }
  const seconds = (performance.now() - started) / 1000;
  // The workers stop (a few ms each; one may still be booting when a small input is done) while
  // the torrent is written and the result printed.
  const stopped = pool.close();
  try {
    await writeFile(output, made.torrent, { flag: flags.force ? 'w' : 'wx' });
  } finally {
    await stopped;
  }

  const magnet = magnetURI({ infoHash: made.infoHash, name: made.name, trackers: announce.flat() });
  if (flags.json) {
    const result = {
      output,
      infoHash: made.infoHash,
      name: made.name,
      length: made.length,
      files: made.files.length,
      pieceLength: made.pieceLength,
      pieceCount: made.pieceCount,
      private: flags.private,
      announce,
      urlList,
      magnet,
      seconds: Number(seconds.toFixed(3)),
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const rows: [string, string][] = [
    ['Created', output],
    ['Name', made.name],
    ['Files', formatCount(made.files.length)],
    ['Size', `${formatBytes(made.length)} (${formatCount(made.length)} bytes)`],
    ['Pieces', `${formatCount(made.pieceCount)} × ${formatBytes(made.pieceLength)}`],
    ['Info hash', made.infoHash],
    ['Hashed in', `${seconds.toFixed(2)} s (${formatRate(made.length / Math.max(seconds, 1e-3))})`],
    ['Magnet', magnet],
  ];
  process.stdout.write(`${keyValueBlock(rows)}\n`);
  return 0;
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A one-line bar on stderr, redrawn at most ten times a second. */
class ProgressBar {
  #lastDraw = 0;
  #started = performance.now();

  update(p: HashProgress): void {
    const now = performance.now();
    if (now - this.#lastDraw < 100 && p.bytesHashed < p.totalBytes) return;
    this.#lastDraw = now;
    const fraction = p.totalBytes === 0 ? 1 : p.bytesHashed / p.totalBytes;
    const width = 30;
    const filled = Math.round(fraction * width);
    const rate = p.bytesHashed / Math.max((now - this.#started) / 1000, 1e-3);
    process.stderr.write(
      `\rhashing [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ` +
        `${formatBytes(p.bytesHashed)} / ${formatBytes(p.totalBytes)}  ${formatRate(rate)}\x1b[K`,
    );
  }

  clear(): void {
    if (this.#lastDraw > 0) process.stderr.write('\r\x1b[K');
  }
}
