// Makes the built CLI executable (tsc keeps the shebang but not the mode).
import { chmodSync, existsSync } from 'node:fs';
const cli = new URL('../distribution/cli.js', import.meta.url);
if (existsSync(cli)) chmodSync(cli, 0o755);
