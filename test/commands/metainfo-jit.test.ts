import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const moduleUrl = new URL('../../source/commands/metainfo-jit.ts', import.meta.url).href;

/** Whether V8 still optimizes a function after tuneJitForSummary(path), in a process of its own. */
function optimizesAfter(path: string, env: NodeJS.ProcessEnv = {}): boolean {
  const script = `import { tuneJitForSummary } from ${JSON.stringify(moduleUrl)};
tuneJitForSummary(${JSON.stringify(path)});
function f(x) { return x + 1; }
%PrepareFunctionForOptimization(f);
f(1);
f(2);
%OptimizeFunctionOnNextCall(f);
f(3);
process.stdout.write((%GetOptimizationStatus(f) & 16) !== 0 ? 'optimized' : 'not optimized');`;
  const child = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, BTUI_WRITE_CODE_CACHE: undefined, ...env },
  });
  assert.equal(child.status, 0, child.stderr);
  return child.stdout === 'optimized';
}

test('metainfo -t runs without the optimizing compiler for a torrent up to 1 MiB, and with it above', () => {
  const dir = mkdtempSync(join(tmpdir(), 'btui-metainfo-jit-'));
  try {
    const small = join(dir, 'small.torrent');
    const large = join(dir, 'large.torrent');
    writeFileSync(small, Buffer.alloc(500 * 1024));
    writeFileSync(large, Buffer.alloc(1024 * 1024 + 1));
    assert.equal(optimizesAfter(small), false);
    assert.equal(optimizesAfter(large), true);
    // A file that cannot be read is left to the reading to report.
    assert.equal(optimizesAfter(join(dir, 'missing.torrent')), true);
    // Nor while the build writes the code caches: they would carry the flag, and every run would reject them.
    assert.equal(optimizesAfter(small, { BTUI_WRITE_CODE_CACHE: '1' }), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
