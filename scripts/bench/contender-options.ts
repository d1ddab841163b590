/**
 * The command-line options the swarm scripts (swarm-trace.ts, leecher-cost.ts) share: `--NAME
 * VALUE` options, and per contender its build (`--cli-NAME`, `--base-cli` for `base`), node
 * flags (`--node-args-NAME "FLAGS"`) and environment (`--env-NAME K=V[,K=V]`).
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const args = process.argv.slice(2);

export function option(name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The cli.js a contender runs: `base` the one given by --base-cli, any other --cli-NAME or this build's. */
export function cliOf(name: string): string {
  return name === 'base'
    ? resolve(option('base-cli') ?? join(root, '.bench', 'dist-base', 'cli.js'))
    : resolve(option(`cli-${name}`) ?? join(root, 'distribution', 'cli.js'));
}

/** A contender's extra environment; a value may hold '=' (split at the first only). */
export function envOf(name: string): Record<string, string> {
  return Object.fromEntries(
    (option(`env-${name}`) ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

export function nodeArgsOf(name: string): string[] {
  return option(`node-args-${name}`)?.split(' ').filter(Boolean) ?? [];
}
