import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sessionFromTexts, type SavedTorrent } from '../../source/session-state/session-file.js';
import { journalHeader, journalLine, journalPathFor, parseJournal } from '../../source/session-state/session-journal.js';
import { openService } from '../helpers/service.js';
import { savedOnDisk } from '../helpers/saved-session.js';
import { randomTorrent } from '../helpers/swarm.js';
import { tempDir } from '../helpers/tools.js';

const byHash = (torrents: readonly SavedTorrent[]) => [...torrents].sort((a, b) => a.infoHash.localeCompare(b.infoHash));

/** A session with a journal: the first add writes session.json whole, the rest append. */
async function sessionWithJournal(dir: string, count: number) {
  const s = openService(dir);
  const hashes: string[] = [];
  for (let i = 0; i < count; i++)
    hashes.push(
      await s.service.addMetainfo(randomTorrent({ name: `j-${i}`, sizes: [1000] }).meta, {
        paused: true,
        directory: join(dir, 'dl', String(i)),
      }),
    );
  return { s, hashes, path: s.service.sessionPath, journal: journalPathFor(s.service.sessionPath) };
}

test('a journal record cut short by a crash mid-append is left out with a log line; the rest of the session comes back and saving goes on', async (t) => {
  const dir = tempDir(t);
  const { s, hashes, path, journal } = await sessionWithJournal(dir, 3);
  await s.close();
  assert.ok(existsSync(journal) && statSync(journal).size > 0, 'the later adds are in the journal');
  // Half of a record for a fourth torrent, as a crash between two write calls leaves it.
  const lost = randomTorrent({ name: 'never-acknowledged', sizes: [10] }).meta.infoHash;
  appendFileSync(journal, `{"put":{"infoHash":"${lost}","torrentFile":"torrents/${lost}.tor`);

  const second = openService(dir, { t });
  assert.equal(await second.service.restore(), 3);
  second.store.refresh();
  assert.ok(
    second.store.getSnapshot().log.some((e) => e.level === 'warn' && /session\.journal ends in a last record cut short/.test(e.text)),
    'said in the log',
  );
  assert.equal(second.service.recovery, undefined, 'not a damaged session: nothing to answer');
  const added = await second.service.addMetainfo(randomTorrent({ name: 'after', sizes: [1000] }).meta, { paused: true });
  assert.deepEqual(
    savedOnDisk(path)
      .torrents.map((x) => x.infoHash)
      .sort(),
    [...hashes, added].sort(),
  );
});

test('a damaged last line (its line end written, not all of it) is left out the same way; damage before the last line sets the journal aside', () => {
  const header = journalHeader('g1');
  const put = (hash: string) => journalLine({ put: { infoHash: hash } as SavedTorrent });
  assert.equal(parseJournal(`${header}${put('a'.repeat(40))}{"put":{"inf\n`, 'g1').torn, 'a damaged last record (line 3)');
  assert.equal(parseJournal(`${header}${put('a'.repeat(40))}`, 'g1').records.length, 1);
  assert.match(parseJournal(`${header}{"put":{"inf\n${put('a'.repeat(40))}`, 'g1').unreadable!, /damaged at line 2/);
  assert.match(parseJournal('garbage\n', 'g1').unreadable!, /not a session journal/);
  assert.equal(parseJournal(`${header}${put('a'.repeat(40))}`, 'g0').stale, true, 'of another generation: not replayed');
  assert.deepEqual(parseJournal('{"journ', 'g1'), {
    records: [],
    stale: false,
    torn: 'a last record cut short (7 bytes without a line end)',
  });
});

test('an unreadable journal is set aside; session.json lists what it held; the rebuild brings back the rest where the journal said its data was', async (t) => {
  const dir = tempDir(t);
  const { s, hashes, path, journal } = await sessionWithJournal(dir, 3);
  await s.close();
  const text = readFileSync(journal, 'utf8').split('\n');
  // The second line of records damaged, the third whole: not a crash mid-append.
  text[1] = text[1]!.slice(0, 20);
  const damaged = text.join('\n');
  writeFileSync(journal, damaged);

  const second = openService(dir, { t });
  assert.equal(await second.service.restore(), 1, "session.json's list: the first add");
  const recovery = second.service.recovery!;
  assert.match(recovery.problem, /session\.journal is damaged at line 2/);
  assert.equal(readFileSync(recovery.setAside!, 'utf8'), damaged, 'set aside unchanged');
  assert.ok(!existsSync(journal));
  assert.equal(await second.service.rebuild(join(dir, 'default')), 2);
  assert.equal(second.session.get(hashes[2]!)!.stats().directory, join(dir, 'dl', '2'), "the directory from the journal's readable part");
  assert.deepEqual(
    savedOnDisk(path)
      .torrents.map((x) => x.infoHash)
      .sort(),
    [...hashes].sort(),
  );
});

test('compaction: session.json written whole on close equals session.json with its journal replayed', async (t) => {
  const dir = tempDir(t);
  const { s, hashes, path, journal } = await sessionWithJournal(dir, 6);
  await s.service.setLabels(hashes[1]!, ['tv']);
  await s.service.start(hashes[2]!);
  await s.service.remove(hashes[3]!);
  await s.service.setPriority(hashes[4]!, 3);
  await s.service.addMagnet('cd'.repeat(20), { paused: true });
  await s.service.remove(hashes[5]!);
  await s.service.addMetainfo(randomTorrent({ name: 'late', sizes: [1000] }).meta, { paused: true });
  const replayed = savedOnDisk(path);
  assert.ok(statSync(journal).size > 0);
  assert.ok(readFileSync(path, 'utf8').split('\n').length < replayed.torrents.length + 2, 'session.json alone holds less');

  await s.service.close();
  await s.close();
  assert.ok(!existsSync(journal), 'the journal is emptied by the whole write');
  const compacted = savedOnDisk(path);
  assert.notEqual(compacted.generation, replayed.generation, 'a new generation');
  // Totals and clocks move between the two reads only for running torrents: the one started is compared without them.
  const still = (x: SavedTorrent) => ({ ...x, secondsDownloading: 0, secondsSeeding: 0, listed: undefined });
  assert.deepEqual(byHash(compacted.torrents).map(still), byHash(replayed.torrents).map(still));
  assert.equal(compacted.torrents.length, 6);
});

test('a journal left by a crash between the whole write and its removal is of the older generation: not replayed', () => {
  const hash = 'e'.repeat(40);
  const session = JSON.stringify({ version: 1, generation: 'new', torrents: [] });
  const stale = journalHeader('old') + journalLine({ put: { infoHash: hash, torrentFile: 't', directory: '/d' } as SavedTorrent });
  const read = sessionFromTexts(session, stale, { path: 'session.json', journalPath: 'session.journal' });
  assert.deepEqual(read.session.torrents, []);
  assert.match(read.problems[0]!, /follows an older session\.json: not replayed/);
  const current = sessionFromTexts(session, stale.replace('"old"', '"new"'), { path: 'session.json', journalPath: 'session.journal' });
  assert.deepEqual(
    current.session.torrents.map((x) => x.infoHash),
    [hash],
  );
});
