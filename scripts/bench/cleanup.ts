import { mkdirSync, rmSync } from 'node:fs';
/** A minimal stand-in for node:test's context, so the test helpers can clean up after a script. */
export class Cleanup {
  private readonly fns: (() => unknown)[] = [];
  after(fn: () => unknown): void {
    this.fns.push(fn);
  }
  async run(): Promise<void> {
    for (const fn of this.fns.reverse()) await fn();
  }
}

/** Runs `body` with a fresh `work` directory and a cleanup context (as node:test's), then cleans up and removes `work`. */
export async function inWorkDir<T>(work: string, body: (t: import('node:test').TestContext) => Promise<T>): Promise<T> {
  const cleanup = new Cleanup();
  mkdirSync(work, { recursive: true });
  cleanup.after(() => rmSync(work, { recursive: true, force: true }));
  try {
    return await body(cleanup as unknown as import('node:test').TestContext);
  } finally {
    await cleanup.run();
  }
}
