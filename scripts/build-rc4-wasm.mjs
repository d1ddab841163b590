// Assembles source/engine/transport/mse/rc4.wat into rc4-wasm-binary.ts (the module's bytes in
// base64, so the bundles need no extra file). Run after editing the WAT; it uses wabt's
// wat2wasm through npx (pinned), which is not a dependency of the project:
//   node scripts/build-rc4-wasm.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const folder = fileURLToPath(new URL('../source/engine/transport/mse/', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'btui-rc4-wasm-'));
try {
  const output = join(scratch, 'rc4.wasm');
  execFileSync('npx', ['--yes', '--package', 'wabt@1.0.39', 'wat2wasm', join(folder, 'rc4.wat'), '-o', output], { stdio: 'inherit' });
  const bytes = readFileSync(output);
  writeFileSync(
    join(folder, 'rc4-wasm-binary.ts'),
    `// Generated from rc4.wat by scripts/build-rc4-wasm.mjs (${bytes.length} bytes); do not edit.\n` +
      `export const RC4_WASM_BASE64 = '${bytes.toString('base64')}';\n`,
  );
  console.log(`rc4-wasm-binary.ts: ${bytes.length} bytes`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
