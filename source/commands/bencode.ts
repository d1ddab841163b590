import { readFile, writeFile } from 'node:fs/promises';
import { BencodeError, decodeDetailed, encode } from '../engine/codec/bencode.js';
import { BencodeJsonError, formatJson, parseJson } from '../engine/codec/bencode-json.js';
import { parseCommand } from './parse-command.js';
import { UserError } from '../errors.js';

const help = `
  Usage
    $ btui bencode -f FILE [--json]             print a bencoded file as JSON
    $ btui bencode --encode FILE.json [-o OUT]  JSON back to the exact bencoded bytes

  Options
    -f, --file FILE     a bencoded file (.torrent, resume data, a DHT or tracker message); - for stdin
    --encode FILE.json  JSON in the mapping below; - for stdin; bytes go to stdout or -o
    -o, --output OUT    where --encode writes (default: stdout, which must not be a terminal)
    --json              accepted for uniformity; the output of -f is always JSON

  The JSON mapping (lossless: --encode gives back the same bytes for any valid bencode)
    integer                   number, or {"$int": "123..."} beyond 2^53
    byte string               string when it is UTF-8 text without control characters,
                              else {"$hex": "..."} (pieces, compact peers, node ids)
    list, dictionary          array, object
    dictionary key            the key as text; "$hex:..." when it is not text;
                              a key that starts with "$" is written with "$$"
    --encode writes dictionary keys in sorted byte order, as bencode requires.

  Examples
    $ btui bencode -f ubuntu.torrent > ubuntu.json
    $ btui bencode --encode ubuntu.json -o copy.torrent
`;

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommand('bencode', help, joinDashValues(argv), {
    file: { type: 'string', shortFlag: 'f' },
    encode: { type: 'string' },
    output: { type: 'string', shortFlag: 'o' },
    json: { type: 'boolean', default: false },
  });

  const { file, encode: jsonFile, output } = cli.flags;
  const positional = cli.input;
  if (positional.length > 0) throw new UserError(`bencode: unexpected argument '${positional[0]}' (use -f FILE or --encode FILE.json)`, 2);
  if (file !== undefined && jsonFile !== undefined) throw new UserError('bencode: use either -f FILE or --encode FILE.json, not both', 2);
  if (file === undefined && jsonFile === undefined)
    throw new UserError("bencode: missing -f FILE or --encode FILE.json (try 'btui bencode --help')", 2);
  if (output !== undefined && jsonFile === undefined) throw new UserError('bencode: -o goes with --encode', 2);

  quietOnClosedPipe();
  if (file !== undefined) return show(file);
  return encodeJson(jsonFile!, output);
}

async function show(file: string): Promise<number> {
  if (file === '') throw new UserError('bencode: -f needs a file name (- for stdin)', 2);
  const name = displayName(file);
  const input = await readInput(file);
  let decoded;
  try {
    decoded = decodeDetailed(input);
  } catch (error) {
    if (error instanceof BencodeError) throw new UserError(`${name}: ${error.message}`);
    throw error;
  }
  if (decoded.unsortedKeys) {
    process.stderr.write(
      `btui: warning: ${name}: dictionary keys are not in sorted order; --encode would write them sorted (canonical), not these exact bytes\n`,
    );
  }
  process.stdout.write(`${formatJson(decoded.value)}\n`);
  return 0;
}

async function encodeJson(file: string, output: string | undefined): Promise<number> {
  if (file === '') throw new UserError('bencode: --encode needs a file name (- for stdin)', 2);
  if (output === '') throw new UserError('bencode: -o needs a file name', 2);
  const name = displayName(file);
  if (output === undefined && process.stdout.isTTY) {
    throw new UserError('bencode: not writing binary bencode to a terminal; use -o FILE or redirect stdout', 2);
  }
  const text = (await readInput(file)).toString('utf8');
  let bytes: Buffer;
  try {
    bytes = encode(parseJson(text));
  } catch (error) {
    if (error instanceof BencodeJsonError) throw new UserError(`${name}: ${error.message}`);
    throw error;
  }
  if (output === undefined) process.stdout.write(bytes);
  else await writeFile(output, bytes);
  return 0;
}

/** yargs-parser takes `--encode -` as a flag without value plus a positional '-'; `--encode=-` parses right. */
function joinDashValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (/^--(file|encode|output)$/.test(arg) && argv[i + 1] === '-') {
      out.push(`${arg}=-`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

function displayName(file: string): string {
  return file === '-' ? 'stdin' : file;
}

async function readInput(file: string): Promise<Buffer> {
  if (file !== '-') return readFile(file);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `btui bencode -f x | head` closes the pipe early; that is not an error worth a stack. */
function quietOnClosedPipe(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    process.stderr.write(`btui: stdout: ${error.message}\n`);
    process.exit(1);
  });
}
