/**
 * What reading session.json back costs with N torrents (readSessionFile, 7 reads: median, min,
 * max): what a quit paid to draw the next start's first frame before it kept the session it had
 * just written. Synthetic rows shaped as a seedbox's (one file each, a label, listed figures).
 *
 *   node --import tsx scripts/soak/session-read.ts [N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSessionFile, writeSessionFile, type SavedTorrent } from '../../source/session-state/session-file.js';

const count = Number(process.argv[2] ?? 10_000);
const dir = mkdtempSync(join(tmpdir(), 'btui-session-read-'));
const torrents: SavedTorrent[] = Array.from({ length: count }, (_, i) => {
  const infoHash = i.toString(16).padStart(40, '0');
  const name = `Some.Show.S01E${i}.1080p.WEB.mkv`;
  const size = 1_500_000_000 + i;
  return {
    infoHash,
    torrentFile: `torrents/${infoHash}.torrent`,
    directory: '/srv/seedbox/complete',
    paused: false,
    priority: 2,
    filePriorities: [1],
    addedAt: 1_796_400_000_000 + i,
    downloaded: 0,
    uploaded: 123_456 * i,
    corrupt: 0,
    secondsDownloading: 0,
    secondsSeeding: 3600 + i,
    labels: ['tv'],
    seedRatioLimit: 2,
    seedRatioMode: 'global',
    seedIdleLimit: 30,
    seedIdleMode: 'global',
    downloadLimit: 0,
    uploadLimit: 0,
    listed: {
      name,
      size,
      completedBytes: size,
      progress: 1,
      pieceCount: 1431,
      havePieces: 1431,
      dataPath: `/srv/seedbox/complete/${name}`,
      trackerHosts: ['tracker.example.org'],
    },
  };
});
const path = join(dir, 'session.json');
try {
  await writeSessionFile(path, { version: 1, torrents });
  const times: number[] = [];
  for (let run = 0; run < 7; run++) {
    const started = performance.now();
    const read = await readSessionFile(path);
    times.push(performance.now() - started);
    if (read.session.torrents.length !== count) throw new Error(`read ${read.session.torrents.length} of ${count}`);
  }
  times.sort((a, b) => a - b);
  console.log(
    JSON.stringify({ torrents: count, readMs: { median: Math.round(times[3]!), min: Math.round(times[0]!), max: Math.round(times[6]!) } }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
