// RpcSource over a scripted daemon: what the rows show while a daemon lags behind its answers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { RpcSource, type RpcCaller } from '../../source/remote/rpc-source.js';
import { rowFromRpc } from '../../source/remote/fields.js';

type Raw = Record<string, unknown>;
const recorded = JSON.parse(readFileSync(new URL('./recorded-transmission-3.00.json', import.meta.url), 'utf8')) as {
  list: { torrents: Raw[] };
};
const torrent: Raw = { ...recorded.list.torrents[0]!, status: 6, percentDone: 1 };
const HASH = torrent.hashString as string;

/** Like transmission-daemon 3.00: torrent-stop is answered at once, applied `lag` torrent-gets later. */
class LaggingDaemon implements RpcCaller {
  status = 6;
  private pending?: { status: number; after: number };
  methods: string[] = [];
  constructor(private readonly lag: number) {}
  call<T>(method: string, args?: Record<string, unknown>): Promise<T> {
    this.methods.push(method);
    if (method === 'torrent-stop') this.pending = { status: 0, after: this.lag };
    if (method === 'torrent-start') this.pending = { status: 6, after: this.lag };
    if (method === 'torrent-get') {
      if (this.pending && this.pending.after-- <= 0) {
        this.status = this.pending.status;
        this.pending = undefined;
      }
      const all = args?.ids === 'recently-active' ? [] : [{ ...torrent, status: this.status }];
      return Promise.resolve({ torrents: all, removed: [] } as T);
    }
    return Promise.resolve({} as T);
  }
  close(): void {}
}

const until = async (done: () => boolean) => {
  for (let i = 0; !done(); i++) {
    if (i > 300) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('a pause shows paused at once and stays so while the daemon still answers "seeding"; a later change by others is shown', async () => {
  const daemon = new LaggingDaemon(3);
  const source = new RpcSource('tr', daemon, { pollMs: 20, sessionEveryMs: 1000 });
  source.listen({ changed() {}, structure() {}, global() {}, log() {} });
  source.start();
  try {
    await until(() => source.row(HASH)?.state === 'seeding');
    const pausing = source.toggle(HASH);
    assert.equal(source.row(HASH)?.state, 'paused', 'at once');
    await pausing;
    const seen = new Set<string>();
    const lagging = daemon.methods.length;
    await until(() => {
      seen.add(source.row(HASH)!.state);
      return daemon.status === 0 && daemon.methods.length > lagging + 8;
    });
    assert.deepEqual([...seen], ['paused'], 'never back to seeding while the daemon lags');
    // Someone else starts it: once the expectation is met, the daemon's word is shown again.
    daemon.status = 6;
    await until(() => source.row(HASH)?.state === 'seeding');
  } finally {
    source.stop();
  }
});

test('an action the host refuses takes back what it showed, and says why', async () => {
  const daemon = new LaggingDaemon(0);
  const refusing: RpcCaller = {
    call: <T>(method: string, args?: Record<string, unknown>) =>
      method === 'torrent-stop' ? Promise.reject(new Error('torrent-stop: invalid argument')) : daemon.call<T>(method, args),
    close: () => undefined,
  };
  const source = new RpcSource('tr', refusing, { pollMs: 20, sessionEveryMs: 1000 });
  source.listen({ changed() {}, structure() {}, global() {}, log() {} });
  source.start();
  try {
    await until(() => source.row(HASH)?.state === 'seeding');
    const pausing = source.toggle(HASH);
    assert.equal(source.row(HASH)?.state, 'paused', 'shown at once');
    await assert.rejects(pausing, /invalid argument/);
    assert.equal(source.row(HASH)?.state, 'seeding', 'taken back');
  } finally {
    source.stop();
  }
});

test('labels on a daemon older than rpc-version 16 (Transmission 2.x): refused with one clear line, nothing sent', async () => {
  const methods: string[] = [];
  const old: RpcCaller = {
    call<T>(method: string, args?: Record<string, unknown>): Promise<T> {
      methods.push(method);
      if (method === 'session-get') return Promise.resolve({ 'rpc-version': 15, version: '2.94' } as T);
      const all = args?.ids === 'recently-active' ? [] : [torrent];
      return Promise.resolve({ torrents: all, removed: [] } as T);
    },
    close() {},
  };
  const source = new RpcSource('old', old, { pollMs: 20 });
  source.listen({ changed() {}, structure() {}, global() {}, log() {} });
  source.start();
  try {
    await until(() => source.row(HASH) !== undefined && methods.includes('session-get'));
    await assert.rejects(source.setLabels(HASH, ['x']), /the daemon has no labels \(its RPC version is 15; labels need 16/);
    assert.ok(!methods.includes('torrent-set'));
  } finally {
    source.stop();
  }
});

test("a remote torrent's tracker hosts come from torrent-get's trackers", () => {
  const row = rowFromRpc({ ...torrent, trackers: [{ announce: 'udp://tracker.opentrackr.org:1337/announce', id: 0, tier: 0 }, { id: 1 }] });
  assert.deepEqual(row.trackerHosts, ['tracker.opentrackr.org']);
  assert.deepEqual(rowFromRpc({ ...torrent, trackers: 'nonsense' }).trackerHosts, []);
});
