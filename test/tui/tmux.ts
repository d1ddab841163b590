import { spawnSync } from 'node:child_process';

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
    for (const key of keys) this.run('send-keys', '-t', 'main', key);
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
