// npm run bench:tables: render cost of the Files pane for a 10,000-file torrent, our own rows against
// @alcalzone/ink-table given the same files, in ink-testing-library (no terminal). Three ink-table cases:
// every file (the table has no windowing of its own), and only the rows that fit the screen, as the
// Trackers pane gives it. Figures: median ms of BENCH_RUNS (default 5) first renders and of cursor moves;
// BENCH_FILES sets the number of files (default 10,000).
import React from 'react';
import { Table } from '@alcalzone/ink-table';
import { render } from 'ink-testing-library';
import { FilesTab } from '../source/ui/files-tab.js';
import type { FileRow } from '../source/store/types.js';
import { formatBytes } from '../source/format/size.js';
import { percent } from '../source/ui/fit.js';

void React;
const COUNT = Number(process.env.BENCH_FILES ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const [WIDTH, HEIGHT] = [100, 45];

const files: FileRow[] = Array.from({ length: COUNT }, (_, i) => ({
  index: i,
  path: `Dataset/part-${String(Math.floor(i / 100)).padStart(3, '0')}/sample-${String(i).padStart(5, '0')}.bin`,
  length: 1_048_576 + i,
  progress: (i % 10) / 10,
  priority: 1,
}));
const cells = files.map((f) => ({ Priority: 'normal', '%': percent(f.progress), Size: formatBytes(f.length), Name: f.path }));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function measure(name: string, element: (cursor: number) => React.ReactElement, check: RegExp): void {
  const first: number[] = [];
  const move: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let start = performance.now();
    const view = render(element(0));
    first.push(performance.now() - start);
    start = performance.now();
    view.rerender(element(1));
    move.push(performance.now() - start);
    if (!check.test(view.lastFrame() ?? '')) throw new Error(`${name}: the frame does not show the files`);
    view.unmount();
  }
  console.log(
    `${name.padEnd(44)} first render ${median(first).toFixed(1).padStart(8)} ms   cursor move ${median(move).toFixed(1).padStart(8)} ms`,
  );
}

// Warm-up: the first render in a process pays for loading and compiling Ink's and React's code.
render(<FilesTab files={files.slice(0, 10)} cursor={0} width={WIDTH} height={HEIGHT} />).unmount();
render(<Table data={cells.slice(0, 10)} />).unmount();
console.log(`${COUNT} files, ${WIDTH}x${HEIGHT}, median of ${RUNS}`);
measure(
  'ours (FilesTab, a window of the tree)',
  (cursor) => <FilesTab files={files} cursor={cursor} width={WIDTH} height={HEIGHT} />,
  /sample-00000\.bin/,
);
const window = (cursor: number) => cells.slice(cursor, cursor + Math.floor((HEIGHT - 4) / 2));
measure('ink-table, the rows that fit', (cursor) => <Table data={window(cursor)} />, /sample-00001\.bin/);
if (process.env.BENCH_FULL !== 'off')
  measure('ink-table, every file', (cursor) => <Table data={cursor === 0 ? cells : cells.slice(1)} />, /sample-00001\.bin/);
