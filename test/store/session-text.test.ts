import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SavedSession, SavedTorrent } from '../../source/session-state/session-file.js';
import { SessionText } from '../../source/session-state/session-text.js';

function saved(i: number, downloaded = 0): SavedTorrent {
  return {
    infoHash: i.toString(16).padStart(40, '0'),
    torrentFile: `torrents/${i}.torrent`,
    directory: '/data',
    paused: i % 2 === 0,
    priority: 2,
    filePriorities: [1, 0, 2],
    addedAt: 1000 + i,
    downloaded,
    uploaded: 0,
    corrupt: 0,
    secondsDownloading: 0,
    secondsSeeding: 0,
    labels: i % 3 === 0 ? ['tv'] : [],
    seedRatioLimit: 2,
    seedRatioMode: 'global',
    seedIdleLimit: 30,
    seedIdleMode: 'global',
    downloadLimit: 0,
    uploadLimit: 0,
  };
}

const parse = (parts: Buffer[]) => JSON.parse(Buffer.concat(parts).toString('utf8')) as SavedSession;

test('session text: the same JSON as the session, across blocks; an entry replaced is written anew, kept objects are not stringified again', () => {
  const text = new SessionText();
  const torrents = Array.from({ length: 200 }, (_, i) => saved(i));
  const session: SavedSession = { version: 1, torrents };
  assert.deepEqual(parse(text.encode(session)), JSON.parse(JSON.stringify(session)));

  // A kept object is trusted as unchanged (the service replaces what changed): mutating it in place shows nothing new...
  torrents[70]!.uploaded = 99;
  assert.equal(parse(text.encode(session)).torrents[70]!.uploaded, 0);
  // ...while a new object for it is written, and so are additions and removals.
  torrents[70] = saved(70, 12345);
  torrents.push(saved(200));
  torrents.splice(3, 1);
  const again = parse(text.encode({ version: 1, torrents }));
  assert.deepEqual(again, JSON.parse(JSON.stringify({ version: 1, torrents })));
  assert.equal(again.torrents.find((t) => t.addedAt === 1070)!.downloaded, 12345);
  assert.equal(again.torrents.length, 200);
});

test('session text: an empty session is valid JSON', () => {
  assert.deepEqual(parse(new SessionText().encode({ version: 1, torrents: [] })), { version: 1, torrents: [] });
});
