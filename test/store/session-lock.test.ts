import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { acquireSessionLock, processAlive, SessionInUseError, sessionLockPath } from '../../source/session-state/session-lock.js';
import { exitCodeFor } from '../../source/errors.js';
import { tempDir } from '../helpers/tools.js';

/** A pid that is certainly dead: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

test('the session lock: one holder; a second is refused naming the first; released, it can be taken again', (t) => {
  const dir = join(tempDir(t), 'state');
  const lock = acquireSessionLock(dir);
  assert.deepEqual(JSON.parse(readFileSync(sessionLockPath(dir), 'utf8')).pid, process.pid);
  // Another process (pid 1 is always alive, and owned by root: EPERM counts as alive).
  assert.ok(processAlive(1));
  writeFileSync(sessionLockPath(dir), JSON.stringify({ pid: 1, holder: 'btui daemon' }));
  assert.throws(
    () => acquireSessionLock(dir),
    (error: unknown) => {
      assert.ok(error instanceof SessionInUseError);
      assert.equal(error.message, `the session in ${dir} is in use by process 1 (btui daemon); quit it first`);
      assert.notEqual(exitCodeFor(error), 0);
      return true;
    },
  );
  lock.release();
  assert.ok(existsSync(sessionLockPath(dir)), 'release() deletes only a lock that is still its own');
});

test('the session lock: released on release(), and a stale or garbled lock is taken over silently', async (t) => {
  const dir = join(tempDir(t), 'state');
  const first = acquireSessionLock(dir);
  first.release();
  assert.ok(!existsSync(sessionLockPath(dir)));

  writeFileSync(sessionLockPath(dir), JSON.stringify({ pid: await deadPid(), holder: 'btui' }));
  const second = acquireSessionLock(dir);
  assert.equal(JSON.parse(readFileSync(sessionLockPath(dir), 'utf8')).pid, process.pid);
  second.release();

  writeFileSync(sessionLockPath(dir), 'garbage{');
  const third = acquireSessionLock(dir);
  third.release();
  assert.deepEqual(readdirSync(dir), [], 'no temporary or set-aside files left');
});

test('the session lock is released when the process exits', async (t) => {
  const dir = join(tempDir(t), 'state');
  const module = new URL('../../source/session-state/session-lock.ts', import.meta.url).pathname;
  const code = `import { acquireSessionLock } from ${JSON.stringify(module)}; acquireSessionLock(${JSON.stringify(dir)}); console.log('held');`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const status = await new Promise((resolve) => child.once('exit', resolve));
  assert.equal(status, 0);
  assert.match(out, /held/);
  assert.ok(!existsSync(sessionLockPath(dir)));
});
