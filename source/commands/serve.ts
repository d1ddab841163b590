import { writeFile, mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DEFAULTS, resumeFilePath } from '../config.js';
import { createTorrent } from '../engine/metainfo/create-torrent.js';
import { defaultHashPool } from '../engine/hashing/hasher.js';
import { magnetURI } from '../engine/metainfo/magnet.js';
import { parseMetainfo } from '../engine/metainfo/metainfo.js';
import { Session } from '../engine/session/session.js';
import { parseCommand } from './parse-command.js';
import { bindFlags, bindingFromFlags } from './bind-flags.js';
import { dhtFlags, dhtHelp, dhtOptionsFromFlags, lsdFlags, lsdHelp } from './dht-flags.js';
import { transportFlags, transportHelp, transportOptions } from './transport-flags.js';
import { encryptionFlags, encryptionFromFlag, encryptionHelp } from './encryption-flag.js';
import { UserError, describeError } from '../errors.js';
import { formatRate } from '../format/duration.js';
import { printable } from '../format/text.js';

const help = `
  Usage
    $ btui serve -f 'a.mp4,b.jpeg' [options]

  Makes a torrent of each file, seeds them all until stopped (Ctrl-C), and prints one
  magnet link per file. With the DHT on (the default) each torrent is announced there, so
  its magnet works from the info-hash alone.

  Options
    -f, --files LIST      comma-separated files to serve (repeatable)
    -a, --announce URL    a tracker to announce to, and to put in the magnets (repeatable)
    --port N              listen port (default ${DEFAULTS.port}; 0 = any)
    --host ADDR           listen address, and where connections to peers leave from
                          (default all interfaces, IPv4 and IPv6)
    --bind ADDR           every socket (peers, trackers, DHT, LSD) leaves from ADDR only
    --interface NAME      the same with NAME's address; while it has none, no traffic at all
    --peer-host HOST      address to advertise in the magnets' x.pe (default: the bound
                          address, else --host when it is a specific address, e.g.
                          127.0.0.1 for a loopback swarm)
    --torrent-dir DIR     also write each .torrent there
    --upload-limit KIB    KiB/s, 0 = unlimited
${dhtHelp}
${lsdHelp}
${transportHelp}
${encryptionHelp}
    --json                one JSON line per file {file, infoHash, magnet, torrent}
`;

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommand(
    'serve',
    help,
    argv,
    {
      files: { type: 'string', shortFlag: 'f', isMultiple: true },
      announce: { type: 'string', shortFlag: 'a', isMultiple: true },
      port: { type: 'number', default: DEFAULTS.port },
      host: { type: 'string' },
      ...bindFlags,
      peerHost: { type: 'string' },
      torrentDir: { type: 'string' },
      uploadLimit: { type: 'number', default: 0 },
      ...dhtFlags,
      ...lsdFlags,
      ...transportFlags,
      ...encryptionFlags,
      json: { type: 'boolean', default: false },
    },
    { port: 'port', uploadLimit: 'nonNegative' },
  );
  const files = [...(cli.flags.files ?? []), ...cli.input]
    .flatMap((f) => f.split(','))
    .map((f) => f.trim())
    .filter(Boolean);
  if (files.length === 0) throw new UserError("serve: nothing to serve: give files with -f 'a.mp4,b.jpeg'", 2);
  for (const file of files) {
    const info = await stat(file).catch(() => undefined);
    if (!info) throw new UserError(`serve: no such file: ${file}`);
    if (!info.isFile()) throw new UserError(`serve: not a regular file: ${file}`);
  }
  const trackers = (cli.flags.announce ?? []).flatMap((a) => a.split(',')).filter(Boolean);

  const watch = bindingFromFlags(cli.flags, 'serve');
  // The bound address (the interface's now, with --interface) is the one peers can reach.
  const advertised =
    cli.flags.peerHost ??
    watch?.binding.address ??
    (cli.flags.host && cli.flags.host !== '0.0.0.0' && cli.flags.host !== '::' ? cli.flags.host : undefined);
  const session = new Session({
    port: cli.flags.port,
    host: cli.flags.host,
    bind: watch?.binding,
    uploadLimit: cli.flags.uploadLimit * 1024,
    resumePath: resumeFilePath,
    dht: dhtOptionsFromFlags(cli.flags),
    lsd: cli.flags.lsd ? {} : undefined,
    ...transportOptions(cli.flags, 'serve'),
    encryption: encryptionFromFlag(cli.flags.encryption, 'serve'),
  });
  session.on('warning', (w: string) => process.stderr.write(`warning: ${printable(w)}\n`));
  try {
    await session.listen();
  } catch (error) {
    watch?.stop();
    throw new UserError(`serve: ${describeError(error)}`);
  }
  const stopping = new Promise<void>((resolvePromise) => {
    const stop = () => resolvePromise();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

  try {
    if (cli.flags.torrentDir) await mkdir(cli.flags.torrentDir, { recursive: true });
    for (const file of files) {
      const made = await createTorrent({ path: file, announce: trackers.map((url) => [url]) });
      const meta = parseMetainfo(made.torrent);
      const torrent = session.add(meta, { directory: dirname(resolve(file)), seedMode: true });
      torrent.on('warning', (w: string) => process.stderr.write(`warning: ${printable(w)}\n`));
      const magnet = magnetURI({
        infoHash: meta.infoHash,
        name: meta.name,
        length: meta.length,
        trackers,
        peers: advertised ? [{ host: advertised, port: session.port }] : [],
      });
      let torrentPath: string | undefined;
      if (cli.flags.torrentDir) {
        torrentPath = join(cli.flags.torrentDir, `${basename(file)}.torrent`);
        await writeFile(torrentPath, made.torrent);
      }
      if (cli.flags.json)
        process.stdout.write(`${JSON.stringify({ file, infoHash: meta.infoHash, magnet, torrent: torrentPath ?? null })}\n`);
      else process.stdout.write(`${magnet}\n`);
    }
    await defaultHashPool().close();
    if (!cli.flags.json)
      process.stderr.write(`seeding ${files.length} file${files.length === 1 ? '' : 's'} on port ${session.port}; Ctrl-C to stop\n`);
    const status =
      process.stderr.isTTY && !cli.flags.json
        ? setInterval(() => {
            const s = session.stats();
            const dht = s.dhtNodes === undefined ? '' : `  DHT nodes ${s.dhtNodes}`;
            process.stderr.write(`\rup ${formatRate(s.uploadRate)}  peers ${s.connections}${dht}\x1b[K`);
          }, 1000)
        : undefined;
    await stopping;
    if (status) {
      clearInterval(status);
      process.stderr.write('\n');
    }
    return 0;
  } finally {
    await session.close();
  }
}
