/**
 * Experiment: does a uTP bulk flow yield to a TCP one on a rate-limited link? Root needed.
 *
 *   node --import tsx scripts/bench/utp-compete.ts run [--cc cubic|bbr] [--flows both|utp|tcp]
 *        [--topology router|sender] [--seconds 24] [--tcp-at 8] [--json]
 *
 * Three network namespaces: a sender (A), a router (R) and a receiver (B), joined by veth pairs;
 * R's interface towards B has `tbf rate 8mbit burst 32kbit latency 400ms`, the bottleneck with
 * a queue of up to 400 ms, as in a DSL or cable modem. The uTP flow starts at 0 s, the TCP flow
 * (its congestion control set on its socket, so the machine's default does not matter) at
 * `--tcp-at` s; B prints the bytes per flow each second and A uTP's window and
 * measured queuing delay. Everything is removed afterwards.
 *
 * `--topology sender` puts the tbf on the sender's own veth instead (the first version of this
 * experiment): there TCP Small Queues let a TCP socket hold only about a millisecond of its
 * pacing rate in the local qdisc, so TCP starves beside any flow that keeps that qdisc full,
 * whatever that flow's congestion control; it measures the host's qdisc, not uTP.
 *
 * The child roles (`recv`, `send`) run inside the namespaces.
 */
import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { UdpEndpoint } from '../../source/engine/transport/udp-endpoint.js';
import type { UtpStream } from '../../source/engine/transport/utp/utp-stream.js';

const RECV_ADDR = '10.217.2.2';
const TCP_PORT = 7001;
const UTP_PORT = 7002;

export interface CompeteOptions {
  cc: 'cubic' | 'bbr';
  flows: 'both' | 'utp' | 'tcp';
  topology: 'router' | 'sender';
  seconds: number;
  tcpAt: number;
  rate?: string;
  /** Prefix of the namespaces' names (default `utpc`; a test makes its own unique). */
  prefix?: string;
}

export interface CompeteResult {
  options: CompeteOptions;
  /** Per second: bytes received per flow, and uTP's window and queuing delay at the sender. */
  seconds: { t: number; tcp: number; utp: number; cwnd?: number; queuingDelayUs?: number }[];
  /** Mean bytes/s over the steady part: before TCP starts (uTP alone) and from 4 s after it. */
  utpAlone?: number;
  utpShared?: number;
  tcp?: number;
  /** The same over the last 6 s, once uTP has backed off. */
  utpLate?: number;
  tcpLate?: number;
}

let NS = names('utpc');
function names(prefix: string) {
  return { a: `${prefix}A`, r: `${prefix}R`, b: `${prefix}B` };
}

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
const ipn = (ns: string, ...args: string[]) => sh('ip', ['-n', ns, ...args]);
const inNs = (ns: string, ...args: string[]) => sh('ip', ['netns', 'exec', ns, ...args]);

/**
 * The TCP flow: Python, to set TCP_CONGESTION on its socket (root may pick any algorithm built
 * in; a namespace's sysctl default may only name the host's allowed ones, here reno and bbr).
 * It prints the algorithm the socket got.
 */
const TCP_SENDER = `
import socket, sys, json
s = socket.socket()
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, sys.argv[1].encode())
s.connect((sys.argv[2], int(sys.argv[3])))
print(json.dumps({'tcpCc': s.getsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16).rstrip(b'\\0').decode()}), flush=True)
chunk = bytes(65536)
while True:
    s.sendall(chunk)
`;

export function teardown(): void {
  for (const ns of Object.values(NS)) {
    try {
      sh('ip', ['netns', 'del', ns]);
    } catch {
      // not there
    }
  }
}

function setup(o: CompeteOptions): void {
  teardown();
  const rate = o.rate ?? '8mbit';
  const tbf = ['root', 'tbf', 'rate', rate, 'burst', '32kbit', 'latency', '400ms'];
  for (const ns of Object.values(NS)) {
    sh('ip', ['netns', 'add', ns]);
    ipn(ns, 'link', 'set', 'lo', 'up');
  }
  sh('ip', ['link', 'add', 'cA', 'netns', NS.a, 'type', 'veth', 'peer', 'name', 'cRa', 'netns', NS.r]);
  sh('ip', ['link', 'add', 'cB', 'netns', NS.b, 'type', 'veth', 'peer', 'name', 'cRb', 'netns', NS.r]);
  ipn(NS.a, 'addr', 'add', '10.217.1.1/24', 'dev', 'cA');
  ipn(NS.r, 'addr', 'add', '10.217.1.254/24', 'dev', 'cRa');
  ipn(NS.r, 'addr', 'add', '10.217.2.254/24', 'dev', 'cRb');
  ipn(NS.b, 'addr', 'add', `${RECV_ADDR}/24`, 'dev', 'cB');
  const links = [
    [NS.a, 'cA'],
    [NS.r, 'cRa'],
    [NS.r, 'cRb'],
    [NS.b, 'cB'],
  ] as const;
  for (const [ns, dev] of links) ipn(ns, 'link', 'set', dev, 'up');
  ipn(NS.a, 'route', 'add', 'default', 'via', '10.217.1.254');
  ipn(NS.b, 'route', 'add', 'default', 'via', '10.217.2.254');
  inNs(NS.r, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  // veth links take a moment to come up: a SYN sent before then is lost and TCP waits 1, 3, 7 s.
  for (let tries = 0; ; tries++) {
    const up = links.every(([ns, dev]) => / state UP /.test(ipn(ns, 'link', 'show', 'dev', dev)));
    if (up) break;
    if (tries > 50) throw new Error('the veth links did not come up');
    execFileSync('sleep', ['0.1']);
  }
  execFileSync('sleep', ['0.5']);
  if (o.topology === 'router') sh('tc', ['-n', NS.r, 'qdisc', 'add', 'dev', 'cRb', ...tbf]);
  else sh('tc', ['-n', NS.a, 'qdisc', 'add', 'dev', 'cA', ...tbf]);
}

function child(ns: string, role: string, env: Record<string, string>) {
  const script = fileURLToPath(import.meta.url);
  return spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', script, role], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function lines(stream: NodeJS.ReadableStream, on: (o: Record<string, number>) => void): void {
  readline.createInterface({ input: stream }).on('line', (l) => {
    try {
      on(JSON.parse(l) as Record<string, number>);
    } catch {
      // not ours
    }
  });
}

const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

export async function compete(o: CompeteOptions): Promise<CompeteResult> {
  NS = names(o.prefix ?? 'utpc');
  setup(o);
  try {
    const env = {
      SECONDS: String(o.seconds),
      TCP_CC: o.cc,
      TCP_AT: String(o.flows === 'tcp' ? 0 : o.tcpAt),
      ...(o.flows === 'tcp' ? { NOUTP: '1' } : {}),
      ...(o.flows === 'utp' ? { NOTCP: '1' } : {}),
    };
    const recv = child(NS.b, 'recv', env);
    const seconds: CompeteResult['seconds'] = [];
    await new Promise<void>((resolve, reject) => {
      recv.on('exit', (c) => reject(new Error(`the receiver exited with ${c}`)));
      lines(recv.stdout!, (x) => {
        if (x.ready) resolve();
        else seconds.push({ t: x.t!, tcp: x.tcp!, utp: x.utp! });
      });
    });
    let first = -1; // the receiver's seconds from the sender's start are the run's
    const send = child(NS.a, 'send', env);
    const senderSeconds: { cwnd: number; queuingDelayUs: number }[] = [];
    let tcpCc: string | undefined;
    lines(send.stdout!, (x) => {
      if ('started' in x) first = seconds.length;
      else if ('tcpCc' in x) tcpCc = x.tcpCc as unknown as string;
      else senderSeconds.push({ cwnd: x.cwnd!, queuingDelayUs: x.queuingDelayUs! });
    });
    const [code] = await new Promise<[number | null]>((r) => send.on('exit', (c) => r([c])));
    await new Promise((r) => setTimeout(r, 1200));
    recv.kill('SIGTERM');
    if (code !== 0) throw new Error(`sender exited with ${code}`);
    if (o.flows !== 'utp' && tcpCc !== o.cc) throw new Error(`the TCP flow ran ${tcpCc}, not ${o.cc}`);
    if (first < 0) throw new Error('the sender never started');
    const run = seconds.slice(first, first + o.seconds);
    run.forEach((s, i) => Object.assign(s, senderSeconds[i] ?? {}));
    const result: CompeteResult = { options: o, seconds: run };
    const tcpAt = o.flows === 'tcp' ? 0 : o.tcpAt;
    const rate = (from: number, to: number, k: 'tcp' | 'utp') => mean(run.slice(from, to).map((s) => s[k]));
    if (o.flows !== 'tcp') result.utpAlone = rate(Math.min(3, tcpAt), tcpAt, 'utp');
    if (o.flows === 'utp') result.utpAlone = rate(3, o.seconds - 1, 'utp');
    if (o.flows !== 'utp') result.tcp = rate(tcpAt + 4, o.seconds - 1, 'tcp');
    if (o.flows === 'both') result.utpShared = rate(tcpAt + 4, o.seconds - 1, 'utp');
    if (o.flows === 'both') result.utpLate = rate(o.seconds - 7, o.seconds - 1, 'utp');
    if (o.flows !== 'utp') result.tcpLate = rate(o.seconds - 7, o.seconds - 1, 'tcp');
    return result;
  } finally {
    teardown();
  }
}

// Run as a script (not imported by the test): a child role or `run`.
const mode = process.argv[1] === fileURLToPath(import.meta.url) ? process.argv[2] : undefined;
if (mode === 'recv') {
  const counts = { tcp: 0, utp: 0 };
  net.createServer((s) => s.on('data', (b: Buffer) => (counts.tcp += b.length))).listen(TCP_PORT, RECV_ADDR);
  await UdpEndpoint.bind({
    port: UTP_PORT,
    host: RECV_ADDR,
    onUtpConnection: (s) => s.on('data', (b: Buffer) => (counts.utp += b.length)),
  });
  console.log(JSON.stringify({ ready: 1 }));
  let t = 0;
  setInterval(() => {
    console.log(JSON.stringify({ t: ++t, tcp: counts.tcp, utp: counts.utp }));
    counts.tcp = 0;
    counts.utp = 0;
  }, 1000);
} else if (mode === 'send') {
  const seconds = Number(process.env.SECONDS ?? 24);
  const chunk = Buffer.alloc(64 * 1024, 7);
  const blast = (w: NodeJS.WritableStream) => {
    const go = () => {
      while (w.write(chunk));
    };
    w.on('drain', go);
    go();
  };
  const endpoint = await UdpEndpoint.bind({ port: 0, host: '10.217.1.1' });
  console.log(JSON.stringify({ started: 1 }));
  if (!process.env.NOUTP) {
    const u: UtpStream = endpoint.utp.connect(RECV_ADDR, UTP_PORT);
    u.on('error', () => undefined);
    u.on('connect', () => blast(u));
    setInterval(() => {
      const c = (u as unknown as { connection: { ledbat: { window: number; queuingDelayUs: number } } }).connection;
      console.log(JSON.stringify({ cwnd: Math.round(c.ledbat.window), queuingDelayUs: c.ledbat.queuingDelayUs }));
    }, 1000);
  } else {
    setInterval(() => console.log(JSON.stringify({})), 1000);
  }
  if (!process.env.NOTCP) {
    setTimeout(
      () => {
        const py = spawn('python3', ['-c', TCP_SENDER, process.env.TCP_CC ?? 'cubic', RECV_ADDR, String(TCP_PORT)], {
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        py.stdout.on('data', (b: Buffer) => process.stdout.write(b));
        process.on('exit', () => py.kill('SIGKILL'));
      },
      Number(process.env.TCP_AT ?? 8) * 1000,
    );
  }
  setTimeout(() => process.exit(0), seconds * 1000);
} else if (mode === 'run') {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1]! : fallback;
  };
  const options: CompeteOptions = {
    cc: arg('cc', 'cubic') as CompeteOptions['cc'],
    flows: arg('flows', 'both') as CompeteOptions['flows'],
    topology: arg('topology', 'router') as CompeteOptions['topology'],
    seconds: Number(arg('seconds', '24')),
    tcpAt: Number(arg('tcp-at', '8')),
  };
  const r = await compete(options);
  if (process.argv.includes('--json')) console.log(JSON.stringify(r));
  else {
    for (const s of r.seconds)
      console.log(
        `${String(s.t).padStart(3)} s  utp ${(s.utp / 1000).toFixed(0).padStart(5)} KB/s  tcp ${(s.tcp / 1000).toFixed(0).padStart(5)} KB/s` +
          (s.cwnd !== undefined ? `  cwnd ${(s.cwnd / 1000).toFixed(1)} KB  queuing ${(s.queuingDelayUs! / 1000).toFixed(0)} ms` : ''),
      );
    const kb = (x?: number) => (x === undefined ? '-' : `${(x / 1000).toFixed(0)} KB/s`);
    console.log(
      `${options.topology} ${options.cc} ${options.flows}: uTP alone ${kb(r.utpAlone)}; from ${options.flows === 'tcp' ? 4 : options.tcpAt + 4} s: ` +
        `uTP ${kb(r.utpShared)}, TCP ${kb(r.tcp)}; last 6 s: uTP ${kb(r.utpLate)}, TCP ${kb(r.tcpLate)}`,
    );
  }
}
