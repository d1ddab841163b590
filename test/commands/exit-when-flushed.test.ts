import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

const moduleUrl = new URL('../../source/commands/exit-when-flushed.ts', import.meta.url).href;

test('exitWhenFlushed ends the process with its code after all of stdout reached a slow reader', async () => {
  const bytes = 8 * 1024 * 1024;
  const script = `import { exitWhenFlushed } from ${JSON.stringify(moduleUrl)};
process.stdout.write(Buffer.alloc(${bytes}, 120));
exitWhenFlushed(3);
setInterval(() => {}, 1000); // would keep it alive: only the exit ends it`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let received = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    received += chunk.length;
    // A slow reader: the pipe fills, and the writer waits on it.
    child.stdout.pause();
    setImmediate(() => child.stdout.resume());
  });
  const [code] = (await once(child, 'close')) as [number];
  assert.equal(code, 3);
  assert.equal(received, bytes);
});
