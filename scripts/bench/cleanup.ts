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
