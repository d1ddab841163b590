/** --bind ADDR / --interface NAME for download and serve: every socket leaves from one address. */
import { bindTargetFrom } from '../engine/transport/bind-target.js';
import { watchBinding, type BindingWatch } from '../engine/transport/binding-watcher.js';
import { UserError } from '../errors.js';

export { bindFlags, bindHelp } from './bind-flag-spec.js';

/** The binding the flags ask for (watched until stop()), or undefined; `command` prefixes errors. */
export function bindingFromFlags(flags: { bind?: string; interface?: string }, command: string): BindingWatch | undefined {
  let target;
  try {
    target = bindTargetFrom(flags);
  } catch (error) {
    throw new UserError(`${command}: ${(error as Error).message}`, 2);
  }
  return target ? watchBinding(target) : undefined;
}
