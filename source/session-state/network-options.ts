import { join } from 'node:path';
import { DEFAULT_DHT_BOOTSTRAP, parseNodeAddress } from '../engine/discovery/dht-address.js';
import type { SessionOptions } from '../engine/session/session.js';
import type { Settings } from '../settings.js';

/**
 * The TUI session's DHT and LSD options from the settings. Bootstrap nodes: the setting,
 * else $BTUI_DHT_BOOTSTRAP (comma-separated; empty = none, as the test suite sets it), else
 * the public routers, as for `btui download`. Nodes that do not parse are left out and
 * reported. The routing table is kept in the state directory (dht-nodes.json, as the CLI does).
 */
export function networkOptions(
  settings: Settings,
  stateDirectory: string,
  env = process.env,
): { options: Pick<SessionOptions, 'dht' | 'lsd'>; problems: string[] } {
  const problems: string[] = [];
  const split = (text: string) =>
    text
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean);
  let dht: SessionOptions['dht'];
  if (settings.dht) {
    const listed = settings.dhtBootstrap
      ? split(settings.dhtBootstrap)
      : env.BTUI_DHT_BOOTSTRAP !== undefined
        ? split(env.BTUI_DHT_BOOTSTRAP)
        : DEFAULT_DHT_BOOTSTRAP;
    const bootstrap = listed.filter((node) => {
      try {
        parseNodeAddress(node);
        return true;
      } catch (error) {
        problems.push(`DHT bootstrap: ${(error as Error).message}`);
        return false;
      }
    });
    dht = { bootstrap, nodesFile: join(stateDirectory, 'dht-nodes.json'), nodesFile6: join(stateDirectory, 'dht6-nodes.json') };
  }
  return { options: { dht, lsd: settings.lsd ? {} : undefined }, problems };
}
