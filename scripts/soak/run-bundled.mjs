// Bundles a soak script as the build does (esbuild, node20) and runs it with node flags of its own
// (tsx inflates closures, so heap figures are taken from a bundle).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** `script` relative to the project root; `args` after it. Exits as the bundle did. */
export async function runBundled(script, nodeFlags, args) {
  const out = mkdtempSync(join(tmpdir(), 'btui-soak-bundle-'));
  const name = basename(script).replace(/\.ts$/, '');
  try {
    await build({
      absWorkingDir: root,
      entryPoints: [script],
      outfile: join(out, `${name}.mjs`),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      packages: 'external',
      logLevel: 'warning',
    });
    // In the project, so the external packages resolve.
    const entry = join(root, 'scripts/soak', `.${name}.bundle.mjs`);
    execFileSync('cp', [join(out, `${name}.mjs`), entry]);
    try {
      execFileSync(process.execPath, [...nodeFlags, entry, ...args], { stdio: 'inherit' });
    } finally {
      rmSync(entry, { force: true });
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
