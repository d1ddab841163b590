// Scripts that start btui (benchmarks, the interop matrix, the soak) give it settings and resume
// directories of their own, so neither the user's turtle mode or limits skew a figure nor a run
// leaves resume files in the user's ~/.local/share/btui. Imported first: children inherit the env.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = mkdtempSync(join(tmpdir(), 'btui-script-xdg-'));
process.env.XDG_CONFIG_HOME = join(root, 'config');
process.env.XDG_DATA_HOME = join(root, 'data');
mkdirSync(process.env.XDG_CONFIG_HOME);
mkdirSync(process.env.XDG_DATA_HOME);
process.on('exit', () => rmSync(root, { recursive: true, force: true }));
