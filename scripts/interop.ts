/**
 * The interop matrix (issue #16): btui against real clients on loopback, both directions,
 * plaintext and encrypted, beside a libtorrent pair measured in the same run.
 *
 *   npm run interop [-- --size-mib 32] [--only qbit] [--timeout-s 120] [--json interop.json] [--no-reference]
 *
 * Each case gets a fresh client and a fresh btui session; a copy counts only when it is
 * byte-identical to the payload. Clients that are not installed are listed and skipped.
 * Exits non-zero when a case that ran failed.
 */
import './isolated-user-dirs.js';
import { loadavg, cpus } from 'node:os';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Client } from './interop/client.js';
import { btuiDownloads, clientDownloads, libtorrentDownloads, libtorrentPair, type CaseResult } from './interop/cases.js';
import { makeFixture } from './interop/fixture.js';
import { Scope } from './interop/scope.js';
import { failures, table, type Report } from './interop/report.js';
import { libtorrent } from './interop/clients/libtorrent.js';
import { aria2c } from './interop/clients/aria2c.js';
import { transmission } from './interop/clients/transmission.js';
import { qbittorrent } from './interop/clients/qbittorrent.js';
import { deluge } from './interop/clients/deluge.js';
import { rtorrent } from './interop/clients/rtorrent.js';

const CLIENTS: Client[] = [libtorrent, aria2c, transmission, qbittorrent, deluge, rtorrent];

const { values } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '32' },
    only: { type: 'string' },
    'timeout-s': { type: 'string', default: '120' },
    json: { type: 'string', default: 'interop.json' },
    // a libtorrent leecher from each seeder too (plaintext): what that seeder gives a reference peer
    'no-reference': { type: 'boolean', default: false },
  },
});
const sizeMiB = Number(values['size-mib']);
const timeoutMs = Number(values['timeout-s']) * 1000;
if (!(sizeMiB > 0) || !(timeoutMs > 0)) {
  console.error('interop: --size-mib and --timeout-s take positive numbers');
  process.exit(2);
}

const wanted = CLIENTS.filter((c) => !values.only || c.name.toLowerCase().includes(values.only.toLowerCase()));
const runnable = wanted.filter((c) => {
  const missing = c.missing();
  if (missing.length > 0) console.log(`skipped ${c.name}: not installed (${missing.join(', ')})`);
  return missing.length === 0;
});

const scope = new Scope();
process.once('SIGINT', () => void scope.close().then(() => process.exit(130)));
const fixture = makeFixture(scope.tempDir('btui-interop-payload-'), sizeMiB * 1024 * 1024);
const results: CaseResult[] = [];
const record = (r: CaseResult) => {
  results.push(r);
  const probe = r.probe
    ? ` [btui's view: unchoked after ${r.probe.unchokedAfterS} s, then ${r.probe.meanRequests} requests out; choked ${r.probe.chokedShare * 100}% (${r.probe.chokes} chokes), peak ${r.probe.peakMBps} MB/s]`
    : '';
  const what = r.ok ? `PASS ${r.seconds!.toFixed(2)} s${r.encrypted ? ' (btui saw RC4)' : ''}${probe}` : `FAIL ${r.note}`;
  console.log(`${r.client.padEnd(20)} ${r.direction.padEnd(16)} ${r.crypto.padEnd(9)} ${what}`);
};

try {
  for (const crypto of ['plain', 'encrypted'] as const) {
    if (libtorrent.missing().length === 0 && (!values.only || 'libtorrent'.includes(values.only))) {
      record(await libtorrentPair(crypto, { fixture, timeoutMs }));
    }
  }
  for (const client of runnable) {
    if (!values['no-reference'] && client !== libtorrent && libtorrent.missing().length === 0) {
      record(await libtorrentDownloads(client, 'plain', { fixture, timeoutMs }));
    }
    for (const crypto of client.cryptos) {
      record(await btuiDownloads(client, crypto, { fixture, timeoutMs }));
      record(await clientDownloads(client, crypto, { fixture, timeoutMs }));
    }
  }
} finally {
  await scope.close();
}

const report: Report = {
  date: new Date().toISOString(),
  payloadMiB: sizeMiB,
  host: { cores: cpus().length, loadAverage: loadavg().map((l) => Math.round(l * 100) / 100) },
  results,
};
writeFileSync(values.json!, JSON.stringify(report, null, 2) + '\n');
console.log(`\n${sizeMiB} MiB on loopback, ${report.host.cores} cores, load average ${report.host.loadAverage.join(' ')}\n`);
console.log(table(results));
const failed = failures(results);
if (failed.length > 0) console.log(`\nfailures:\n${failed.map((f) => `- ${f}`).join('\n')}`);
console.log(`\nwritten: ${values.json}`);
process.exitCode = failed.length > 0 ? 1 : 0;
