import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { jsonDownload, killWhen, startCli, type ProgressEvent } from '../helpers/cli-kill.js';
import { tempDir } from '../helpers/tools.js';
import { randomTorrent, startSeeder } from '../helpers/swarm.js';

test('a download killed part way (SIGKILL) resumes and fetches only what it did not have', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [6_000_000, 2_000_001], pieceLength: 64 * 1024 });
  const seeder = await startSeeder(t, meta, data, tempDir(t));
  seeder.setLimits({ upload: 3 * 1024 * 1024 });

  const { args, out, home } = jsonDownload(t, meta, seeder.port);

  // First run: kill it with SIGKILL once it has about a third of the data.
  const first = startCli(t, args, home);
  const killed = await killWhen(first, (e) => e.event === 'progress' && e.completed > meta.length / 3);
  const lastCompleted = killed.completed;
  assert.ok(lastCompleted > 0 && lastCompleted < meta.length);

  seeder.setLimits({ upload: 0 });
  const second = await runCli(args, { env: { BTUI_HOME: home }, timeoutMs: 60_000 });
  assert.equal(second.code, 0, second.stderr);
  const events = second.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ProgressEvent);
  const done = events.find((e) => e.event === 'done')!;
  assert.ok(done, 'second run completed');
  const refetched = done.downloaded;
  // Everything reported complete before the kill is on disk and is not fetched again.
  assert.ok(
    refetched <= meta.length - lastCompleted + 256 * 1024,
    `refetched ${refetched} bytes; ${meta.length - lastCompleted} were missing`,
  );
  for (const f of meta.files) {
    assert.ok(readFileSync(join(out, ...f.path)).equals(data.subarray(f.offset, f.offset + f.length)));
  }
});
