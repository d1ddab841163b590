/**
 * Promise: a broken .torrent or magnet is refused with one clear line and a non-zero exit
 * from the CLI, and with a logged error (no throw, no crash) through the store the TUI uses.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MetainfoError, parseMetainfo } from '../../source/engine/metainfo/metainfo.js';
import { MagnetError, parseMagnet } from '../../source/engine/metainfo/magnet.js';
import { openService } from '../helpers/service.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/tools.js';
import { randomTorrent } from '../helpers/swarm.js';
import { BAD_MAGNETS, badTorrents } from './corpus.js';

/** The controller's add answer as the info-hash, or undefined when it was refused (with the reason). */
const addedHash = (r: { hash: string } | { error: string }) => ('hash' in r ? r.hash : undefined);

const corpus = badTorrents();

/** Runs `jobs` at most `limit` at a time (the CLI costs a Node start each). */
async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}

function assertOneLineError(r: CliResult, what: string): void {
  assert.notEqual(r.code, 0, `${what}: exit code 0`);
  assert.ok(r.code !== null, `${what}: killed (timeout?)`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `${what}: expected one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^btui: \S/, `${what}: ${lines[0]}`);
  assert.ok(lines[0]!.length < 400, `${what}: a ${lines[0]!.length}-character line`);
  assert.doesNotMatch(r.stderr, /\n\s+at |Error: .*\n/, `${what}: stack trace`);
}

test('bad files: every broken .torrent in the corpus is a MetainfoError from the parser', () => {
  assert.ok(corpus.length >= 45);
  for (const c of corpus) {
    assert.throws(() => parseMetainfo(c.bytes), MetainfoError, c.name);
  }
  for (const m of BAD_MAGNETS) assert.throws(() => parseMagnet(m), MagnetError, m.slice(0, 60));
});

test('bad files: btui metainfo and btui download refuse each with one line and a non-zero exit', { timeout: 240_000 }, async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'out');
  mkdirSync(out);
  const jobs: (() => Promise<void>)[] = [];
  corpus.forEach((c, i) => {
    const path = join(dir, `${i}.torrent`);
    writeFileSync(path, c.bytes);
    jobs.push(async () => assertOneLineError(await runCli(['metainfo', '-t', path]), `metainfo: ${c.name}`));
    jobs.push(async () =>
      assertOneLineError(
        await runCli(['download', '-t', path, '-o', out, '--host', '127.0.0.1', '--port', '0', '--no-dht']),
        `download: ${c.name}`,
      ),
    );
  });
  for (const m of BAD_MAGNETS) {
    jobs.push(async () => assertOneLineError(await runCli(['metainfo', '--offline', '-m', m]), `metainfo -m: ${m.slice(0, 40)}`));
    jobs.push(async () =>
      assertOneLineError(
        await runCli(['download', m, '-o', out, '--host', '127.0.0.1', '--port', '0', '--no-dht']),
        `download: ${m.slice(0, 40)}`,
      ),
    );
  }
  await pool(jobs, 3);
  t.diagnostic(`${jobs.length} CLI runs refused cleanly`);
});

test('bad files: the store logs one error per broken file and the session keeps working', { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t);
  const { session, store, controller } = openService(dir, { t });
  const logLength = () => store.getSnapshot().log.length;
  for (const [i, c] of corpus.entries()) {
    const path = join(dir, `${i}.torrent`);
    writeFileSync(path, c.bytes);
    store.refresh();
    const before = logLength();
    assert.equal(addedHash(await controller.add(path)), undefined, c.name);
    store.refresh();
    const added = store.getSnapshot().log.slice(before);
    assert.equal(added.length, 1, `${c.name}: ${added.map((l) => l.text).join(' | ')}`);
    assert.equal(added[0]!.level, 'error', c.name);
    assert.ok(!added[0]!.text.includes('\n') && added[0]!.text.length < 400, `${c.name}: ${added[0]!.text.slice(0, 200)}`);
  }
  for (const m of BAD_MAGNETS) {
    store.refresh();
    const before = logLength();
    assert.equal(addedHash(await controller.add(m)), undefined, m.slice(0, 60));
    store.refresh();
    // One line each (the store echoes the input; a huge magnet makes a long line there).
    assert.ok(logLength() > before, `${m.slice(0, 60)}: nothing logged`);
  }
  assert.equal(session.list().length, 0);
  // And a good torrent still goes in afterwards.
  const good = randomTorrent({ sizes: [10_000] });
  const path = join(dir, 'good.torrent');
  const { encodeTorrentFile } = await import('../../source/engine/metainfo/encode-torrent-file.js');
  writeFileSync(path, encodeTorrentFile(good.meta));
  assert.equal(addedHash(await controller.add(path)), good.meta.infoHash);
});
