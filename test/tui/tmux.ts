import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A tmux server on a private socket, for driving the real binary; killed by its socket, never by name. */
export class Tmux {
  readonly socket = `btui-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  run(...args: string[]): string {
    const result = spawnSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${result.stderr.trim()}`);
    return result.stdout;
  }

  start(command: string, width: number, height: number): void {
    this.run('new-session', '-d', '-s', 'main', '-x', String(width), '-y', String(height), command);
    this.run('set-option', '-t', 'main', 'status', 'off');
  }

  /** The screen as text (or with colours: -e). */
  capture(colours = false): string {
    return this.run('capture-pane', '-p', ...(colours ? ['-e'] : []), '-t', 'main');
  }

  keys(...keys: string[]): void {
    for (const key of keys) {
      this.run('send-keys', '-t', 'main', key);
      // A lone Esc must arrive alone, or it reads as Alt plus the next key.
      if (key === 'Escape') spawnSync('sleep', ['0.1']);
    }
  }

  type(text: string): void {
    this.run('send-keys', '-t', 'main', '-l', text);
  }

  async waitFor(test: (screen: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = this.capture();
      if (test(screen)) return screen;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}; screen:\n${screen}`);
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore' });
  }
}

const root = new URL('../..', import.meta.url).pathname;
export const cli = join(root, 'distribution', 'cli.js');

/** The list row of a torrent on one host, in a list with a Host column (several hosts). */
export const hostRowOf = (screen: string, host: string, name: string) =>
  screen.split('\n').find((l) => l.startsWith(`${host} `) && l.includes(name)) ?? '';

/** The built CLI (one bundle), built now if it is missing or older than the TUI entry. */
export function ensureBuilt(): void {
  const built = existsSync(cli) && statSync(cli).mtimeMs >= statSync(join(root, 'source', 'tui.tsx')).mtimeMs;
  if (built) return;
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
}

/** A home for one run: BTUI_HOME and XDG_CONFIG_HOME in a temp dir, listening on loopback, any port, no DHT bootstrap nodes (never the public routers; a later BTUI_DHT_BOOTSTRAP=... overrides). */
export function testHome(dir: string, settings: Record<string, unknown> = {}): string {
  mkdirSync(join(dir, 'config', 'btui'), { recursive: true });
  writeFileSync(
    join(dir, 'config', 'btui', 'config.json'),
    JSON.stringify({ port: 0, listenHost: '127.0.0.1', downloadDirectory: join(dir, 'downloads'), refreshMs: 200, ...settings }),
  );
  return `env -u CI -u NO_COLOR BTUI_HOME=${join(dir, 'state')} XDG_CONFIG_HOME=${join(dir, 'config')} TERM=xterm-256color BTUI_DHT_BOOTSTRAP=`;
}
