/** What the matrix needs of each real client: start it as a seeder or a leecher on loopback. */
import type { Fixture } from './fixture.js';
import type { Scope } from './scope.js';

/** plain: both sides speak plaintext only; encrypted: both require MSE/PE (RC4). */
export type Crypto = 'plain' | 'encrypted';

export interface RunningClient {
  /** Where it accepts peers (btui dials it: Transmission, for one, never dials 127.x). */
  host: string;
  port: number;
  /** A leecher's copy of the payload, compared byte for byte. */
  payloadPath: string;
  /** Resolves when it takes peers for the torrent: a seeder has checked its data, a leecher is waiting. */
  ready(timeoutMs: number): Promise<void>;
}

export interface Client {
  name: string;
  /** Commands that must be on PATH (and 'python3-libtorrent' for libtorrent). */
  missing(): string[];
  cryptos: Crypto[];
  start(scope: Scope, fixture: Fixture, role: 'seed' | 'leech', crypto: Crypto): Promise<RunningClient>;
}
