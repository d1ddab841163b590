// Bundles the CLI (and the hashing worker, which runs as its own entry) into distribution/.
// One bundle instead of ~70 modules: the ESM loader's per-module cost was about half of a
// subcommand's start (import of the download command: 37 ms as modules, 17 ms bundled).
// Dynamic imports stay separate chunks, so each subcommand still loads only what it needs.
// Type checking is tsc's (npm run build runs it first; tsconfig.json emits nothing).
import { build } from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}distribution`;
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { cli: 'source/cli.tsx', 'hash-worker': 'source/engine/hash-worker.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // Chunks sit beside the entries: the hasher finds its worker as ./hash-worker.js from any of them.
  chunkNames: '[name]-[hash]',
  logLevel: 'warning',
});
chmodSync(`${outdir}/cli.js`, 0o755);
