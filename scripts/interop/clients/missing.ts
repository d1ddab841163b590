import { haveCommand, haveLibtorrent } from '../../../test/helpers/tools.js';

export function missingCommands(...commands: string[]): string[] {
  return commands.filter((c) => !haveCommand(c));
}

export function missingLibtorrent(): string[] {
  return haveLibtorrent() ? [] : ['python3-libtorrent'];
}
