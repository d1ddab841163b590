// Bundles scripts/soak/NAME.ts as the build does (esbuild, node20) and runs it with --expose-gc:
// memory per torrent measured as a user's bundled btui has it, not as tsx's transpiled modules.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export async function runBundled(name, args) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const out = mkdtempSync(join(tmpdir(), `btui-${name}-bundle-`));
  try {
    await build({
      absWorkingDir: root,
      entryPoints: [`scripts/soak/${name}.ts`],
      outfile: join(out, `${name}.mjs`),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      packages: 'external',
      logLevel: 'warning',
    });
    // Resolves the external packages from the project.
    const entry = join(root, `scripts/soak/.${name}.bundle.mjs`);
    execFileSync('cp', [join(out, `${name}.mjs`), entry]);
    try {
      execFileSync(process.execPath, ['--expose-gc', entry, ...args], { stdio: 'inherit' });
    } finally {
      rmSync(entry, { force: true });
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
