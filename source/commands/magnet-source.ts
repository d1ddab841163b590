import { MagnetError, parseInfoHash, parseMagnet, type Magnet } from '../engine/metainfo/magnet.js';
import type { ResolvedMagnet } from '../engine/session/magnet-resolver.js';
import type { Session } from '../engine/session/session.js';
import { UserError } from '../errors.js';
import { magnetErrorText } from './magnet-error.js';
import type { ProgressReporter } from './progress-reporter.js';

/** A magnet link or a bare v1 info-hash (40 hex / 32 base32) as a Magnet; undefined for anything else. */
export function magnetFromSource(source: string): Magnet | undefined {
  try {
    if (/^magnet:/i.test(source)) return parseMagnet(source);
    if (/^([0-9a-f]{40}|[a-z2-7]{32})$/i.test(source.trim()))
      return { infoHash: parseInfoHash(source), trackers: [], webSeeds: [], peers: [] };
  } catch (error) {
    if (error instanceof MagnetError) throw new UserError(magnetErrorText(error));
    throw error;
  }
  return undefined;
}

/** Resolves the magnet's metadata through the session, with progress on the reporter. */
export async function fetchMetadata(
  session: Session,
  magnet: Magnet,
  timeoutMs: number,
  reporter?: ProgressReporter,
): Promise<ResolvedMagnet> {
  const name = magnet.name ?? magnet.infoHash;
  reporter?.metadata(name, { known: 0, connected: 0, offering: 0, pieces: 0, pieceCount: 0 });
  try {
    return await session.resolveMagnet(magnet, { timeoutMs, onProgress: (s) => reporter?.metadata(name, s) });
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}
