// Bundles seeding-memory.ts as the build does (esbuild, node20) and runs it with --expose-gc.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'btui-seeding-memory-bundle-'));
try {
  await build({
    absWorkingDir: root,
    entryPoints: ['scripts/soak/seeding-memory.ts'],
    outfile: join(out, 'seeding-memory.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  // Resolves the external packages from the project.
  const entry = join(root, 'scripts/soak/.seeding-memory.bundle.mjs');
  execFileSync('cp', [join(out, 'seeding-memory.mjs'), entry]);
  try {
    execFileSync(process.execPath, ['--expose-gc', entry, ...process.argv.slice(2)], { stdio: 'inherit' });
  } finally {
    rmSync(entry, { force: true });
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
