// Wire throughput: one PeerWire pushes 1 GiB of 16 KiB piece messages to another over a
// loopback TCP connection, in this one process (both ends share a core).
// Run: node --import tsx scripts/bench-wire.ts [MiB] [--requests]
//   --requests: the receiver asks for every block (pipeline of 256 requests) instead of
//   the sender pushing, as a real download does.
import { once } from 'node:events';
import net from 'node:net';
import { makePeerId } from '../source/engine/wire/peer-id.js';
import { PeerWire } from '../source/engine/wire/peer-wire.js';

const mib = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1024);
const withRequests = process.argv.includes('--requests');
const BLOCK = 16 * 1024;
const PIECE = 1024 * 1024;
const blocks = (mib * 1024 * 1024) / BLOCK;
const blocksPerPiece = PIECE / BLOCK;
const infoHash = Buffer.alloc(20, 7);

const server = net.createServer();
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as net.AddressInfo;
const accepted = once(server, 'connection') as Promise<[net.Socket]>;
const client = net.connect(port, '127.0.0.1');
const [[serverSide]] = await Promise.all([accepted, once(client, 'connect')]);

const sender = new PeerWire(serverSide, { peerId: makePeerId(), infoHash });
const receiver = new PeerWire(client, { peerId: makePeerId(), infoHash });
await Promise.all([once(sender, 'handshake'), once(receiver, 'handshake')]);

const block = Buffer.alloc(BLOCK, 0xa5);
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();

let received = 0;
let checksum = 0;
const finished = new Promise<void>((resolve) => {
  receiver.on('message', (m) => {
    if (m.type !== 'piece') return;
    checksum += m.block[0]! + m.block[m.block.length - 1]!;
    if (++received === blocks) resolve();
    else if (withRequests && requested < blocks) request();
  });
});

let requested = 0;
function request(): void {
  const i = requested++;
  receiver.send({ type: 'request', index: Math.floor(i / blocksPerPiece), begin: (i % blocksPerPiece) * BLOCK, length: BLOCK });
}

if (withRequests) {
  // Serve each request as it comes, backing off while the socket buffer is full.
  const queue: { index: number; begin: number }[] = [];
  const serve = (): void => {
    while (queue.length > 0 && !sender.writableNeedDrain()) {
      const r = queue.shift()!;
      sender.sendPiece(r.index, r.begin, block);
    }
  };
  sender.on('message', (m) => {
    if (m.type === 'request') {
      queue.push(m);
      serve();
    }
  });
  sender.on('drain', serve);
  for (let i = 0; i < 256 && requested < blocks; i++) request();
} else {
  let sent = 0;
  const push = (): void => {
    while (sent < blocks && !sender.writableNeedDrain()) {
      sender.sendPiece(Math.floor(sent / blocksPerPiece), (sent % blocksPerPiece) * BLOCK, block);
      sent++;
    }
  };
  sender.on('drain', push);
  push();
}

await finished;
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
const bytes = blocks * BLOCK;
if (checksum !== blocks * 2 * 0xa5) throw new Error('payload corrupted');
console.log(
  `${withRequests ? 'request/response' : 'push'}: ${(bytes / 2 ** 20).toFixed(0)} MiB in ${seconds.toFixed(2)} s = ` +
    `${(bytes / 1e6 / seconds).toFixed(0)} MB/s; CPU user ${(cpu.user / 1e6).toFixed(2)} s, system ${(cpu.system / 1e6).toFixed(2)} s; ` +
    `protocol bytes ${receiver.bytesReceived}`,
);
sender.destroy();
receiver.destroy();
server.close();
