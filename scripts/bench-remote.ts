// node --import tsx scripts/bench-remote.ts: what a remote host with 10,000 torrents costs the TUI.
// A scripted daemon answers with objects shaped like transmission-daemon 3.00's (the recording in
// test/remote/); the real RpcSource and TorrentStore read them. Prints the answer sizes and the
// time of the first full poll and of recently-active polls with 20 torrents changed.
import './isolated-user-dirs.js';
import { readFileSync } from 'node:fs';
import { RpcSource, type RpcCaller } from '../source/remote/rpc-source.js';
import { TorrentStore } from '../source/store/torrent-store.js';

const N = Number(process.env.BENCH_TORRENTS ?? 10_000);
const ACTIVE = 20;
const recorded = JSON.parse(readFileSync(new URL('../test/remote/recorded-transmission-3.00.json', import.meta.url), 'utf8')) as {
  list: { torrents: Record<string, unknown>[] };
};
const base = recorded.list.torrents[0]!;
const all = Array.from({ length: N }, (_, i) => ({
  ...base,
  id: i + 1,
  hashString: i.toString(16).padStart(40, '0'),
  name: `torrent-${i}`,
  addedDate: Number(base.addedDate) + i,
}));
const fullJson = JSON.stringify({ result: 'success', arguments: { torrents: all } });
let lastBytes = 0;
const daemon: RpcCaller = {
  call: <T>(method: string, args?: Record<string, unknown>): Promise<T> => {
    let json = JSON.stringify({ result: 'success', arguments: {} });
    if (method === 'torrent-get')
      json =
        args?.ids === 'recently-active'
          ? JSON.stringify({
              result: 'success',
              arguments: {
                torrents: all.slice(0, ACTIVE).map((t) => ({ ...t, rateDownload: Math.round(Math.random() * 1e6) })),
                removed: [],
              },
            })
          : fullJson;
    lastBytes = json.length;
    return Promise.resolve((JSON.parse(json) as { arguments: T }).arguments);
  },
  close: () => undefined,
};

const source = new RpcSource('bench', daemon, { pollMs: 1, sessionEveryMs: 1e9, fullEveryMs: 1e9 });
const store = new TorrentStore([source], { refreshMs: 1e9 });
let structure = 0;
source.listen({ changed() {}, structure: () => void structure++, global() {}, log() {} });
const started = performance.now();
source.start();
while (structure === 0) await new Promise((r) => setTimeout(r, 1));
const polled = performance.now();
store.refresh();
console.log(
  `full list of ${N}: ${(fullJson.length / 1e6).toFixed(1)} MB, poll ${(polled - started).toFixed(0)} ms, first snapshot ${(performance.now() - polled).toFixed(0)} ms`,
);
const times: number[] = [];
for (let i = 0; i < 15; i++) {
  await new Promise((r) => setTimeout(r, 5));
  const t0 = performance.now();
  store.refresh();
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(
  `recently-active: ${(lastBytes / 1024).toFixed(1)} KiB a poll (${ACTIVE} changed); snapshot after a poll, 15 runs: median ${times[7]!.toFixed(1)} ms, min ${times[0]!.toFixed(1)} ms`,
);
source.stop();
store.stop();
