// In-process probe of the TUI at scale: N rows (default 10,000) from a fake source, the real store
// and App rendered by ink-testing-library at 120x40; 60 refreshes of CHANGES (default 30) changed
// rows each, then 20 `?` presses. Prints the CPU of each refresh and of the render after it, and
// the key's wall time. Run with NODE_ENV=production (React's production build, as the CLI's):
//   NODE_ENV=production N=10000 SORT=added node --import tsx scripts/bench/ui-scale-probe.tsx
import React from 'react';
import { render } from 'ink-testing-library';
import { App, type AppCommands } from '../../source/ui/app.js';
import { defaultSettings } from '../../source/settings.js';
import { settingsHeldHere } from '../../source/ui/settings-access.js';
import { TorrentStore } from '../../source/store/torrent-store.js';
import { FakeSource, hashOf } from '../../test/helpers/fake-source.js';

void React;
const N = Number(process.env.N ?? 10000);
const CHANGES = Number(process.env.CHANGES ?? 30);
// The rows as seeding torrents of growing sizes; changes go through the source, as a service's events would.
const fake = new FakeSource(N);
for (let i = 0; i < N; i++) fake.rows.set(hashOf(i), { ...fake.rows.get(hashOf(i))!, state: 'seeding', progress: 1, size: 1000 + i });
const source = fake.source;
const store = new TorrentStore(source, { refreshMs: 500, speedSampleMs: 0, diskIntervalMs: 0 });
const commands = new Proxy({}, { get: () => async () => undefined }) as AppCommands;
const settings = { ...defaultSettings(), listSort: (process.env.SORT ?? 'added') as 'added' };
const app = render(
  <App store={store} commands={commands} settings={settingsHeldHere(settings, '/x')} width={120} height={40} onQuit={() => {}} />,
);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const refreshes: number[] = [];
const renders: number[] = [];
let k = 0;
for (let round = 0; round < 60; round++) {
  for (let c = 0; c < CHANGES; c++) {
    const i = k++ % N;
    const r = fake.rows.get(hashOf(i))!;
    fake.change(i, { uploadRate: (r.uploadRate + 1) % 5, seeds: r.seeds + 1 });
  }
  const c0 = process.cpuUsage();
  store.refresh();
  const c1 = process.cpuUsage(c0);
  await new Promise((r) => setImmediate(r));
  const c2 = process.cpuUsage(c0);
  refreshes.push((c1.user + c1.system) / 1000);
  renders.push((c2.user + c2.system - c1.user - c1.system) / 1000);
  await new Promise((r) => setTimeout(r, 5));
}
const keys: number[] = [];
for (let i = 0; i < 20; i++) {
  const t0 = performance.now();
  const open = i % 2 === 0;
  app.stdin.write('?');
  while (/Space\s+start \/ pause/.test(app.lastFrame() ?? '') !== open) await new Promise((r) => setImmediate(r));
  keys.push(performance.now() - t0);
  await new Promise((r) => setTimeout(r, 5));
}
console.log(
  `N=${N} sort=${settings.listSort} CPU: refresh median ${median(refreshes).toFixed(2)} ms (max ${Math.max(...refreshes).toFixed(2)}), render after it median ${median(renders).toFixed(2)} ms (max ${Math.max(...renders).toFixed(2)}); key median ${median(keys).toFixed(2)} ms`,
);
app.unmount();
process.exit(0);
