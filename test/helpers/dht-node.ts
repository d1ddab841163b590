/**
 * A bare bittorrent-dht node on 127.0.0.1 for tests: the bootstrap node of a loopback DHT.
 * It knows no one at first (no public routers, ever) and stores what peers announce to it.
 */
import type { TestContext } from 'node:test';
import DHT from 'bittorrent-dht';

export interface TestDhtNode {
  /** HOST:PORT, for --dht-bootstrap. */
  address: string;
  port: number;
  dht: DHT;
  /** Resolves when some peer has announced `infoHashHex` to this node. */
  announced(infoHashHex: string, timeoutMs: number): Promise<{ host: string; port: number }>;
}

export async function startDhtNode(t: TestContext): Promise<TestDhtNode> {
  const dht = new DHT({ bootstrap: false });
  dht.on('warning', () => undefined);
  const seen = new Map<string, { host: string; port: number }>();
  dht.on('announce', (peer: { host: string; port: number }, infoHash: Buffer) => seen.set(Buffer.from(infoHash).toString('hex'), peer));
  await new Promise<void>((resolve) => dht.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => dht.destroy(() => resolve())));
  const port = dht.address().port;
  return {
    address: `127.0.0.1:${port}`,
    port,
    dht,
    announced(infoHashHex, timeoutMs) {
      return new Promise((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const check = () => {
          const peer = seen.get(infoHashHex);
          if (peer) resolve(peer);
          else if (Date.now() > deadline) reject(new Error(`no DHT announce of ${infoHashHex} within ${timeoutMs} ms`));
          else setTimeout(check, 50);
        };
        check();
      });
    },
  };
}
