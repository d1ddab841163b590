import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

const moduleUrl = new URL('../../source/commands/write-stdout.ts', import.meta.url).href;

test('writeStdout keeps its parts in order when stdout was full and the stream holds the rest', async () => {
  const size = 2 * 1024 * 1024;
  // process.stdout made first: a pipe's descriptor becomes non-blocking, and a full pipe answers EAGAIN.
  const script = `import { writeStdout } from ${JSON.stringify(moduleUrl)};
void process.stdout;
writeStdout(Buffer.alloc(${size}, 97));
setTimeout(() => writeStdout(Buffer.alloc(${size}, 98)), 10);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    // A slow reader: the pipe stays full while the first part is written.
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), 2);
  });
  const [code] = (await once(child, 'close')) as [number];
  assert.equal(code, 0);
  const received = Buffer.concat(chunks);
  assert.equal(received.length, 2 * size);
  assert.equal(received.indexOf(98), size, 'the second part starts where the first ends');
  assert.equal(received.lastIndexOf(97), size - 1);
});
