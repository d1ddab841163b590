#!/usr/bin/env node
import { describeError, UserError } from './errors.js';

const help = `
  Usage
    $ btui                                   the TUI (restores the saved session)
    $ btui --demo                            the TUI with an embedded local demo swarm
    $ btui download -t FILE.torrent [-o DIR] download (also a magnet, an info-hash or an http(s) URL)
    $ btui metainfo -t FILE.torrent [--json] show a torrent's metainfo
    $ btui metainfo -m 'magnet:?...'         show what a magnet link holds
    $ btui scrape -t TRACKER_URL -i HASH,... seeders / leechers / completed per hash
    $ btui bencode -f FILE [--json]          a bencoded file as readable JSON (-f - for stdin)
    $ btui bencode --encode FILE.json        back to the exact bencoded bytes
    $ btui create PATH -o OUT.torrent        make a .torrent
    $ btui serve -f 'a.mp4,b.jpeg'           seed files, print a magnet for each

  Run 'btui COMMAND --help' for a command's options.
`;

type Runner = (argv: string[]) => Promise<number | void>;

const commands: Record<string, () => Promise<{ run: Runner }>> = {
  bencode: () => import('./commands/bencode.js'),
  metainfo: () => import('./commands/metainfo.js'),
  create: () => import('./commands/create.js'),
  scrape: () => import('./commands/scrape.js'),
  download: () => import('./commands/download.js'),
  serve: () => import('./commands/serve.js'),
};

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const name = argv[0];
  if (name && !name.startsWith('-')) {
    const load = commands[name];
    if (!load) throw new UserError(`unknown command '${name}' (try 'btui --help')`, 2);
    const { run } = await load();
    return (await run(argv.slice(1))) ?? 0;
  }
  // Subcommands never load meow here (its import alone costs about 30 ms): only the TUI's line.
  const { default: meow } = await import('meow');
  const cli = meow(help, {
    importMeta: import.meta,
    flags: { demo: { type: 'boolean', default: false } },
  });
  if (cli.input.length > 0) throw new UserError(`unexpected argument '${cli.input[0]}' (try 'btui --help')`, 2);
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UserError("the TUI needs a terminal; for scripts use a subcommand (see 'btui --help')", 2);
  }
  // Ink draws nothing interactive when it thinks it runs under CI; on a real terminal it should.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  // React's development build costs several times the CPU per render; it is for debugging React.
  process.env.NODE_ENV ??= 'production';
  const { runTui } = await import('./tui.js');
  return runTui({ demo: cli.flags.demo });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`btui: ${describeError(error)}\n`);
    process.exitCode = error instanceof UserError ? error.exitCode : 1;
  },
);
