/**
 * Experiment, not a test: does a uTP bulk flow yield to a TCP one on a rate-limited link?
 * Two network namespaces joined by a veth pair with a tbf qdisc each way (root needed):
 *
 *   ip netns add utpA; ip netns add utpB
 *   ip link add vA type veth peer name vB; ip link set vA netns utpA; ip link set vB netns utpB
 *   ip -n utpA addr add 10.217.0.1/24 dev vA; ip -n utpB addr add 10.217.0.2/24 dev vB
 *   ip -n utpA link set vA up; ip -n utpB link set vB up
 *   ip netns exec utpA tc qdisc add dev vA root tbf rate 8mbit burst 128kb latency 300ms
 *   ip netns exec utpB tc qdisc add dev vB root tbf rate 8mbit burst 128kb latency 300ms
 *   ip netns exec utpB node --import tsx scripts/bench/utp-compete.ts recv &   # prints bytes/s per flow
 *   ip netns exec utpA node --import tsx scripts/bench/utp-compete.ts send     # uTP from 0 s, TCP from 8 s
 *   (NOUTP=1 for TCP alone; ip netns del utpA; ip netns del utpB afterwards)
 *
 * Measured 2026-12-04: TCP alone ~960 KB/s; uTP alone ~960 KB/s with LEDBAT holding the queuing
 * delay at ~100 ms (cwnd ~100 KB); both at once: uTP ~930 KB/s, TCP ~28 KB/s. uTP did NOT yield.
 * The TCP flow is BBR (this machine's default), which does not fill buffers; a CUBIC flow (set per
 * socket, e.g. Python's setsockopt TCP_CONGESTION, with NOTCP=1 here) grew only from 40 to 72 KB/s
 * in 15 s. Either way TCP never pushed the queue past uTP's 100 ms target, so LEDBAT never backed off.
 */
import net from 'node:net';
import { UdpEndpoint } from '../../source/engine/transport/udp-endpoint.js';
import type { UtpStream } from '../../source/engine/transport/utp/utp-stream.js';

const mode = process.argv[2];
if (mode === 'recv') {
  const counts = { tcp: 0, utp: 0 };
  net.createServer((s) => s.on('data', (b: Buffer) => (counts.tcp += b.length))).listen(7001, '10.217.0.2');
  await UdpEndpoint.bind({ port: 7002, host: '10.217.0.2', onUtpConnection: (s) => s.on('data', (b: Buffer) => (counts.utp += b.length)) });
  let t = 0;
  setInterval(() => {
    console.log(JSON.stringify({ t: ++t, tcp: counts.tcp, utp: counts.utp }));
    counts.tcp = 0;
    counts.utp = 0;
  }, 1000);
} else {
  const chunk = Buffer.alloc(64 * 1024, 7);
  const blast = (w: NodeJS.WritableStream) => {
    const go = () => {
      while (w.write(chunk));
    };
    w.on('drain', go);
    go();
  };
  const endpoint = await UdpEndpoint.bind({ port: 0, host: '10.217.0.1' });
  if (!process.env.NOUTP) {
    const u: UtpStream = endpoint.utp.connect('10.217.0.2', 7002);
    u.on('error', () => undefined);
    u.on('connect', () => blast(u));
    setInterval(() => {
      const c = (u as unknown as { connection: { ledbat: { window: number; queuingDelayUs: number } } }).connection;
      console.log(JSON.stringify({ cwnd: Math.round(c.ledbat.window), queuingDelayUs: c.ledbat.queuingDelayUs }));
    }, 1000);
  }
  // NOTCP=1: no TCP flow from here (another program supplies it, e.g. with its own congestion control).
  if (!process.env.NOTCP) {
    setTimeout(() => {
      const s = net.connect(7001, '10.217.0.2', () => blast(s));
    }, 8000);
  }
  setTimeout(() => process.exit(0), 24000);
}
