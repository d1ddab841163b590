/** --bind ADDR / --interface NAME as a checked BindTarget; throws a readable Error. */
import net from 'node:net';
import type { BindTarget } from './binding-watcher.js';

export function bindTargetFrom(options: { bind?: string; interface?: string }): BindTarget | undefined {
  const bind = options.bind?.trim() || undefined;
  const name = options.interface?.trim() || undefined;
  if (bind && name) throw new Error('give --bind ADDR or --interface NAME, not both');
  if (bind) {
    const address = bind.replace(/^\[(.*)\]$/, '$1');
    if (net.isIP(address) === 0) throw new Error(`--bind ${bind}: not an IP address (for a network interface use --interface NAME)`);
    if (address === '0.0.0.0' || address === '::') throw new Error(`--bind ${bind}: binds nothing (that is every address)`);
    return { address };
  }
  if (name) {
    if (!/^[\w.:@-]{1,15}$/.test(name)) throw new Error(`--interface ${name}: not an interface name`);
    return { interface: name };
  }
  return undefined;
}
