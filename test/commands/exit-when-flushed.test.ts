import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

const moduleUrl = new URL('../../source/commands/exit-when-flushed.ts', import.meta.url).href;

for (const watched of [false, true]) {
  test(`exitWhenFlushed ends the process with its code after all of stdout reached a slow reader${watched ? ' (streams watched)' : ''}`, async () => {
    const bytes = 8 * 1024 * 1024;
    const script = `import { exitWhenFlushed, watchStandardStreams } from ${JSON.stringify(moduleUrl)};
${watched ? 'watchStandardStreams();' : ''}
process.stdout.write(Buffer.alloc(${bytes}, 120));
exitWhenFlushed(3);
setInterval(() => {}, 1000); // would keep it alive: only the exit ends it`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
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
}

test('with the streams watched, exitWhenFlushed makes neither stream of a command that wrote straight to its descriptor', async () => {
  // Node's getters, wrapped before the watch to count what reads them.
  const script = `import { writeSync } from 'node:fs';
import { exitWhenFlushed, watchStandardStreams } from ${JSON.stringify(moduleUrl)};
const reads = [];
for (const name of ['stdout', 'stderr']) {
  const node = Object.getOwnPropertyDescriptor(process, name);
  Object.defineProperty(process, name, { configurable: true, enumerable: true, get() { reads.push(name); return node.get.call(process); } });
}
watchStandardStreams();
writeSync(1, 'summary\\n');
process.on('exit', () => writeSync(1, 'streams made: ' + reads.length + '\\n'));
exitWhenFlushed(4);
setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number];
  assert.equal(code, 4);
  assert.equal(out, 'summary\nstreams made: 0\n');
});
