import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where btui keeps its state (resume data, session). BTUI_HOME overrides, for tests and portable setups. */
export function stateDirectory(): string {
  if (process.env.BTUI_HOME) return process.env.BTUI_HOME;
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'btui');
}

export function resumeFilePath(infoHashHex: string): string {
  return join(stateDirectory(), 'resume', `${infoHashHex}.resume`);
}

export const DEFAULTS = {
  port: 6881,
  maxConnections: 200,
  maxPeersPerTorrent: 50,
  uploadSlots: 8,
};
