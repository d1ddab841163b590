// The Trackers pane drawn by @alcalzone/ink-table: every row fits the terminal's width, narrow terminals
// drop the least useful columns instead of wrapping, and a tracker's last error is shown in words under the table.
import React from 'react';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { render } from 'ink-testing-library';
import { TrackersTab } from '../../source/ui/trackers-tab.js';
import type { TrackerRow } from '../../source/store/types.js';
import { displayWidth } from '../../source/format/text.js';

void React;
const strip = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');
const NOW = 1_800_000_000_000;

const trackers: TrackerRow[] = [
  {
    url: 'http://tracker.example.org:6969/announce?passkey=0123456789abcdef0123456789abcdef',
    tier: 0,
    status: 'working',
    seeders: 12,
    leechers: 3,
    completed: 140,
    lastAnnounceAt: NOW - 15_000,
    nextAnnounceAt: NOW + 45_000,
    lastScrapeAt: NOW - 20_000,
  },
  { url: 'udp://open.example.net:1337/announce', tier: 1, status: 'error', lastError: 'connection refused', lastAnnounceAt: NOW - 60_000 },
];

function frame(width: number, height: number, rows = trackers): string[] {
  const { lastFrame, unmount } = render(<TrackersTab trackers={rows} width={width} height={height} scroll={0} now={NOW} />);
  const lines = strip(lastFrame() ?? '').split('\n');
  unmount();
  return lines;
}

for (const [width, height] of [
  [80, 20],
  [100, 30],
] as const) {
  test(`trackers at ${width} columns: a bordered table whose every line fits the width`, () => {
    const lines = frame(width, height);
    for (const line of lines) assert.ok(displayWidth(line) <= width, `wider than ${width}: ${JSON.stringify(line)}`);
    assert.match(lines[0]!, /^┌─/);
    assert.match(lines[1]!, /│ Tier │ URL/);
    assert.ok(lines.some((l) => /│\s+1 │ http:\/\/tracker\.ex.*│ working │\s+12 │/.test(l)));
    assert.ok(lines.some((l) => /│\s+2 │ udp:\/\/open\.ex\S*\s+│ error\s+│/.test(l)));
    assert.ok(lines.some((l) => l.includes('tier 2 last error: connection refused')));
  });
}

test('trackers at 80 columns: the URL is cut with … and Scraped and Done give way (the scrape told under the table); at 100 (the test terminal width) everything shows', () => {
  const narrow = frame(80, 20).join('\n');
  assert.match(narrow, /http:\/\/tracker\.ex\S*… │/);
  assert.doesNotMatch(narrow, /Scraped/);
  assert.match(narrow, /tier 1 scraped 20s ago: 12 seeders, 3 leechers, 140 completed/);
  const wide = frame(100, 30).join('\n');
  assert.match(wide, /│ Scraped │/);
  assert.match(wide, /│ +20s ago │/);
  assert.doesNotMatch(wide, /tier 1 scraped/);
});

test('trackers: none says where peers come from, and many scroll inside the height', () => {
  assert.match(frame(80, 10, []).join('\n'), /no trackers/);
  const many = Array.from({ length: 30 }, (_, i) => ({ url: `http://t${i}.example/announce`, tier: i, status: 'working' }));
  const lines = frame(80, 12, many);
  assert.ok(lines.length <= 12, `${lines.length} lines in 12`);
  assert.match(lines.filter((l) => l.trim()).at(-1)!, /^└/);
});
