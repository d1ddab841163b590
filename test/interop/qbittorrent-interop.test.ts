/**
 * btui and a real qbittorrent-nox 4.5 that requires encryption (Session\Encryption=1), both
 * ways, through the interop matrix's own cases (scripts/interop/): the part of `npm run interop`
 * quick enough for every run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { btuiDownloads, clientDownloads } from '../../scripts/interop/cases.js';
import { qbittorrent } from '../../scripts/interop/clients/qbittorrent.js';
import { makeFixture } from '../../scripts/interop/fixture.js';
import { needs, tempDir } from '../helpers/tools.js';

const TOOLS = { commands: ['qbittorrent-nox'] };

for (const [what, run] of [
  ['btui downloads from it', btuiDownloads],
  ['it downloads from a btui seed', clientDownloads],
] as const) {
  test(`qBittorrent requiring encryption: ${what}, over RC4, byte-identical`, async (t) => {
    if (!needs(t, TOOLS)) return;
    const fixture = makeFixture(tempDir(t), 4 * 1024 * 1024);
    const result = await run(qbittorrent, 'encrypted', { fixture, timeoutMs: 60_000 });
    t.diagnostic(`${what}: ${JSON.stringify(result)}`);
    assert.ok(result.ok, result.note);
    assert.equal(result.encrypted, true);
  });
}
