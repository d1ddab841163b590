/**
 * Keeps a NetworkBinding in step with the machine's interfaces: polls
 * os.networkInterfaces() and sets the binding's address, or undefined when the interface (or
 * the bound address) is gone.
 */
import os from 'node:os';
import { NetworkBinding } from './binding.js';

export type BindTarget = { interface: string } | { address: string };

type Interfaces = ReturnType<typeof os.networkInterfaces>;

/**
 * The address a target stands for now; undefined when it has none. An interface's IPv4 address
 * comes first, then a global IPv6 one (a link-local address needs a scope a peer cannot use).
 */
export function resolveBindTarget(target: BindTarget, interfaces: Interfaces): string | undefined {
  if ('address' in target) {
    // All of 127.0.0.0/8 is loopback, though only 127.0.0.1 is listed.
    if (target.address.startsWith('127.') || target.address === '::1') return target.address;
    const present = Object.values(interfaces).some((list) => list?.some((i) => sameAddress(i.address, target.address)));
    return present ? target.address : undefined;
  }
  const list = interfaces[target.interface] ?? [];
  const v4 = list.find((i) => i.family === 'IPv4');
  const v6 = list.find((i) => i.family === 'IPv6' && !i.address.toLowerCase().startsWith('fe80:'));
  return (v4 ?? v6)?.address;
}

function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function describeBindTarget(target: BindTarget): string {
  return 'address' in target ? `address ${target.address}` : `interface ${target.interface}`;
}

export interface BindingWatch {
  readonly binding: NetworkBinding;
  stop(): void;
}

/** A binding for the target, polled every `intervalMs` (default 3 s). */
export function watchBinding(target: BindTarget, options: { intervalMs?: number; read?: () => Interfaces } = {}): BindingWatch {
  const read = options.read ?? os.networkInterfaces;
  const binding = new NetworkBinding(describeBindTarget(target), resolveBindTarget(target, read()));
  const timer = setInterval(() => binding.set(resolveBindTarget(target, read())), options.intervalMs ?? 3000);
  timer.unref();
  return { binding, stop: () => clearInterval(timer) };
}
