/** Whole transfers between two uTP sockets over a simulated link that loses and reorders datagrams. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { UtpStream } from '../../../../source/engine/transport/utp/utp-stream.js';
import { B, makeLink } from '../../../helpers/utp-link.js';

function collect(stream: UtpStream, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let got = 0;
  return new Promise((resolve, reject) => {
    stream.on('data', (c: Buffer) => {
      chunks.push(Buffer.from(c));
      got += c.length;
      if (got >= bytes) resolve(Buffer.concat(chunks));
    });
    stream.on('error', reject);
    stream.on('close', () => got < bytes && reject(new Error(`closed after ${got} of ${bytes} bytes`)));
  });
}

async function transfer(options: Parameters<typeof makeLink>[0], size: number) {
  const link = makeLink(options);
  try {
    const data = randomBytes(size);
    const back = randomBytes(size / 4);
    const client = link.a.connect(B.host, B.port);
    await once(client, 'connect');
    await new Promise((r) => setImmediate(r));
    const server = link.accepted[0]!;
    assert.ok(server, 'the SYN became an incoming stream');
    const received = collect(server, data.length);
    const receivedBack = collect(client, back.length);
    client.write(data);
    server.write(back);
    const [got, gotBack] = await Promise.all([received, receivedBack]);
    assert.equal(createHash('sha1').update(got).digest('hex'), createHash('sha1').update(data).digest('hex'));
    assert.ok(gotBack.equals(back));
    return link.stats;
  } finally {
    link.close();
  }
}

test('2 MiB each way over a clean link arrive intact', async () => {
  const stats = await transfer({}, 2 * 1024 * 1024);
  assert.equal(stats.dropped, 0);
});

test('2 MiB arrive intact over a link that loses 3% and reorders 5% of datagrams (seeded)', async () => {
  const stats = await transfer({ seed: 42, loss: 0.03, reorder: 0.05, reorderDelayMs: 3 }, 2 * 1024 * 1024);
  assert.ok(stats.dropped > 20, `the link dropped ${stats.dropped}`);
  assert.ok(stats.reordered > 20, `the link reordered ${stats.reordered}`);
});

test('a transfer survives heavy loss (15%) through timeouts, fast resends and selective acks', async () => {
  const stats = await transfer({ seed: 7, loss: 0.15, reorder: 0.1, reorderDelayMs: 2 }, 128 * 1024);
  assert.ok(stats.dropped > 20);
});

test('a lost SYN is sent again; a dial to no one fails with ETIMEDOUT', async () => {
  const link = makeLink({ drop: (n) => n === 0 });
  try {
    const client = link.a.connect(B.host, B.port);
    await once(client, 'connect');
    assert.equal(link.stats.dropped, 1);
  } finally {
    link.close();
  }
  const lonely = makeLink({ loss: 1, connection: { synAttempts: 2 } });
  try {
    const client = lonely.a.connect(B.host, B.port);
    const [error] = (await once(client, 'error')) as [NodeJS.ErrnoException];
    assert.equal(error.code, 'ETIMEDOUT');
  } finally {
    lonely.close();
  }
});

test('end() sends a FIN: the other side ends after the last byte, and both connections close', async () => {
  const link = makeLink({ seed: 5, loss: 0.05 });
  try {
    const client = link.a.connect(B.host, B.port);
    await once(client, 'connect');
    await new Promise((r) => setImmediate(r));
    const server = link.accepted[0]!;
    const data = randomBytes(100_000);
    const got = collect(server, data.length);
    const ended = once(server, 'end');
    const closed = Promise.all([once(server, 'close'), once(client, 'close')]);
    client.end(data);
    assert.ok((await got).equals(data));
    await ended;
    await closed;
    assert.equal(link.a.connectionCount, 0);
    assert.equal(link.b.connectionCount, 0);
  } finally {
    link.close();
  }
});

test('LEDBAT keeps a bottleneck queue near the 100 ms target instead of filling its 1.5 s buffer', async () => {
  // 1 MB/s each way with a 1.5 s buffer: a sender that only backs off on loss would keep the queue
  // over a second deep; LEDBAT aims at 100 ms of queuing delay.
  const link = makeLink({ rateBytesPerSec: 1_000_000, queueMs: 1500 });
  try {
    const client = link.a.connect(B.host, B.port);
    await once(client, 'connect');
    await new Promise((r) => setImmediate(r));
    const data = randomBytes(3_000_000);
    const got = collect(link.accepted[0]!, data.length);
    const started = performance.now();
    client.write(data);
    assert.ok((await got).equals(data));
    const seconds = (performance.now() - started) / 1000;
    const delays = link.stats.queueDelaysMs;
    const late = delays.slice(Math.floor(delays.length / 2)).sort((x, y) => x - y);
    const median = late[Math.floor(late.length / 2)]!;
    assert.ok(median > 20 && median < 250, `median queuing delay in the second half: ${median.toFixed(0)} ms`);
    assert.ok(seconds < 3 / 0.6, `3 MB took ${seconds.toFixed(1)} s at 1 MB/s: the link was used`);
  } finally {
    link.close();
  }
});
