/**
 * What one interop case started (processes, sessions, temporary directories), undone in reverse
 * order by close(). It has the `after` of a node:test context, so the test helpers that take one
 * (the libtorrent peer) work in the matrix script too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export class Scope {
  private readonly hooks: (() => unknown)[] = [];
  /** Output of the processes this scope started, for a failure's note. */
  readonly logs = new Map<string, string>();

  after(hook: () => unknown): void {
    this.hooks.push(hook);
  }

  tempDir(prefix = 'btui-interop-'): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));
    return dir;
  }

  /** Starts a program whose output is kept under `name`; killed by its pid when the scope closes. */
  spawn(name: string, command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let log = '';
    const keep = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4000);
      this.logs.set(name, log);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', (error) => keep(Buffer.from(`\n${command}: ${error.message}\n`)));
    this.after(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    });
    return child;
  }

  async close(): Promise<void> {
    for (const hook of this.hooks.splice(0).reverse()) {
      try {
        await hook();
      } catch {
        // one failed clean-up must not keep the others from running
      }
    }
  }
}
