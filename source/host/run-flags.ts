/** The flags the TUI and `btui daemon` share: this run's overrides of the settings, and the RPC's. */
import { bindTargetFrom } from '../engine/transport/bind-target.js';
import { UserError } from '../errors.js';
import type { RpcFlags } from './rpc-host.js';
import type { HostFlags } from './session-host.js';

export const RUN_FLAGS = {
  port: { type: 'number' },
  dht: { type: 'boolean' },
  utp: { type: 'boolean' },
  tcp: { type: 'boolean' },
  downloadDir: { type: 'string' },
  rpcBind: { type: 'string' },
  rpcPort: { type: 'number' },
  rpcAuth: { type: 'string' },
  encryption: { type: 'string' },
  bind: { type: 'string' },
  interface: { type: 'string' },
} as const;

export interface RunFlagValues {
  port?: number;
  downloadDir?: string;
  rpcBind?: string;
  rpcPort?: number;
  rpcAuth?: string;
  encryption?: string;
  bind?: string;
  interface?: string;
}

/** Checked values; `prefix` names the command in messages ('daemon: '). */
export function runFlagsFrom(
  flags: RunFlagValues,
  argv: readonly string[],
  prefix = '',
): { host: HostFlags; rpc: RpcFlags; rpcGiven: boolean } {
  for (const [name, value] of [
    ['--port', flags.port],
    ['--rpc-port', flags.rpcPort],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > 65535))
      throw new UserError(`${prefix}${name} ${value} is not a port (0-65535)`, 2);
  }
  const encryption = flags.encryption;
  if (encryption !== undefined && encryption !== 'plaintext' && encryption !== 'prefer' && encryption !== 'require')
    throw new UserError(`${prefix}--encryption ${encryption}: choose one of plaintext, prefer, require`, 2);
  // Given or not: the flag parsers make an absent boolean false, which must not turn the DHT off.
  const given = (name: string) => (argv.includes(`--no-${name}`) ? false : argv.includes(`--${name}`) ? true : undefined);
  const dht = given('dht');
  try {
    bindTargetFrom(flags);
  } catch (error) {
    throw new UserError(`${prefix}${(error as Error).message}`, 2);
  }
  return {
    host: {
      port: flags.port,
      dht,
      utp: given('utp'),
      tcp: given('tcp'),
      downloadDirectory: flags.downloadDir,
      bindAddress: flags.bind,
      bindInterface: flags.interface,
      encryption,
    },
    rpc: { bind: flags.rpcBind, port: flags.rpcPort, auth: flags.rpcAuth },
    rpcGiven: flags.rpcPort !== undefined || flags.rpcBind !== undefined,
  };
}

/** The option names a flag spec accepts, as parsers report them (camelCase and kebab-case). */
export function flagNames(spec: Record<string, unknown>): Set<string> {
  const names = new Set(['help', 'version']);
  for (const key of Object.keys(spec)) {
    names.add(key);
    names.add(key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
  }
  return names;
}
