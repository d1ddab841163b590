import { join } from 'node:path';
import { stateDirectory } from '../config.js';
import { DEFAULT_DHT_BOOTSTRAP, parseNodeAddress } from '../engine/discovery/dht-address.js';
import type { SessionDhtOptions } from '../engine/session/session.js';
import { UserError } from '../errors.js';

/** The DHT flags shared by download, metainfo and serve. */
export { dhtFlags, dhtHelp, lsdFlags, lsdHelp } from './dht-flag-spec.js';

/**
 * The session's DHT settings from the flags. Bootstrap nodes: --dht-bootstrap, else
 * $BTUI_DHT_BOOTSTRAP (comma-separated; empty = none, which the test suite sets so that no
 * test reaches the public routers), else the well-known public routers.
 */
export function dhtOptionsFromFlags(flags: { dht: boolean; dhtBootstrap?: string[] }): SessionDhtOptions | undefined {
  if (!flags.dht) return undefined;
  const given = (flags.dhtBootstrap ?? [])
    .flatMap((b) => b.split(','))
    .map((b) => b.trim())
    .filter(Boolean);
  const env = process.env.BTUI_DHT_BOOTSTRAP;
  const bootstrap =
    given.length > 0
      ? given
      : env !== undefined
        ? env
            .split(',')
            .map((b) => b.trim())
            .filter(Boolean)
        : DEFAULT_DHT_BOOTSTRAP;
  for (const node of bootstrap) {
    try {
      parseNodeAddress(node);
    } catch (error) {
      throw new UserError(`${(error as Error).message} (--dht-bootstrap)`, 2);
    }
  }
  return { bootstrap, nodesFile: join(stateDirectory(), 'dht-nodes.json'), nodesFile6: join(stateDirectory(), 'dht6-nodes.json') };
}
