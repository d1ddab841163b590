// A tracker that answers every announce late, on many loopback addresses (127.77.x.y): the
// 10,000-torrent start-up bench announces to many distinct hosts, as a seedbox's trackers are.
import { createServer, type Server } from 'node:http';

export interface SlowTracker {
  /** The announce URL of host number `n` (modulo the host count). */
  url(n: number): string;
  /** Announces answered so far. */
  answered(): number;
  /** Announces waiting for their answer now, and the most there ever were at once. */
  open(): { now: number; peak: number };
  close(): Promise<void>;
}

export function hostAddress(n: number): string {
  return `127.77.${(n >> 8) & 255}.${n & 255}`;
}

export async function startSlowTracker(options: { hosts: number; delayMs: number; port?: number }): Promise<SlowTracker> {
  let answered = 0;
  let open = 0;
  let peak = 0;
  const servers: Server[] = [];
  const body = Buffer.from('d8:completei0e10:incompletei0e8:intervali1800e5:peers0:e');
  let port = options.port ?? 0;
  for (let n = 0; n < options.hosts; n++) {
    const server = createServer((request, response) => {
      peak = Math.max(peak, ++open);
      setTimeout(() => {
        open--;
        answered++;
        response.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
        response.end(body);
      }, options.delayMs);
    });
    // Port 0 for the first address; the others take the same port (one URL shape for all).
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, hostAddress(n), () => resolve());
    });
    if (port === 0) {
      const address = server.address();
      port = typeof address === 'object' && address ? address.port : 0;
    }
    servers.push(server);
  }
  return {
    url: (n) => `http://${hostAddress(n % options.hosts)}:${port}/announce`,
    answered: () => answered,
    open: () => ({ now: open, peak }),
    close: async () => {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}
