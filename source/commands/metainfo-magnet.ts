/**
 * `btui metainfo -m MAGNET`: what the link holds (--offline), or its info dictionary fetched from
 * the swarm. A bundle of its own (command-metainfo-magnet.js): `metainfo -t` loads none of this.
 */
import { writeFileSync } from 'node:fs';
import { MagnetError, parseMagnet, parsePeerAddress, type Magnet } from '../engine/metainfo/magnet.js';
import type { Metainfo } from '../engine/metainfo/metainfo.js';
import { UserError } from '../errors.js';
import { keyValueBlock, type KeyValueRow } from '../format/key-value.js';
import { metainfoJson } from '../format/metainfo-json.js';
import { metainfoSummary } from '../format/metainfo-summary.js';
import { formatBytes, formatCount } from '../format/size.js';
import { printable } from '../format/text.js';
import { encryptionFromFlag } from './encryption-flag.js';
import { magnetErrorText } from './magnet-error.js';
import type { MetainfoFlags } from './metainfo.js';
import { writeStdout } from './write-stdout.js';

export async function runMagnet(magnet: string, flags: MetainfoFlags): Promise<number> {
  const { json, save } = flags;
  let parsed: Magnet;
  try {
    parsed = parseMagnet(magnet);
  } catch (error) {
    if (error instanceof MagnetError) throw new UserError(`metainfo: ${magnetErrorText(error)}`);
    throw error;
  }
  if (flags.offline) {
    if (save !== undefined) throw new UserError('metainfo: --save needs the info dictionary from the swarm, not --offline', 2);
    writeStdout(json ? `${JSON.stringify(magnetJson(parsed), null, 2)}\n` : magnetSummary(parsed));
    return 0;
  }
  for (const p of flags.peer ?? []) {
    try {
      parsed.peers.push(parsePeerAddress(p));
    } catch {
      throw new UserError(`metainfo: bad --peer '${p}': expected HOST:PORT`, 2);
    }
  }
  const meta = await fetchMagnet(parsed, flags);
  if (save !== undefined) {
    const { encodeTorrentFile } = await import('../engine/metainfo/encode-torrent-file.js');
    writeFileSync(save, encodeTorrentFile(meta));
  }
  writeStdout(json ? `${JSON.stringify(metainfoJson(meta), null, 2)}\n` : metainfoSummary(meta));
  return 0;
}

async function fetchMagnet(
  magnet: Magnet,
  flags: { dht: boolean; dhtBootstrap?: string[]; timeout: number; port: number; bind?: string; interface?: string; encryption: string },
): Promise<Metainfo> {
  const [{ dhtOptionsFromFlags }, { Session }, { fetchMetadata }, { ProgressReporter }, { bindingFromFlags }] = await Promise.all([
    import('./dht-flags.js'),
    import('../engine/session/session.js'),
    import('./magnet-source.js'),
    import('./progress-reporter.js'),
    import('./bind-flags.js'),
  ]);
  const dht = dhtOptionsFromFlags(flags);
  if (magnet.peers.length === 0 && magnet.trackers.length === 0 && !dht) {
    throw new UserError(
      'metainfo: nothing to fetch the info dictionary from (no x.pe peers, no trackers, --no-dht); --offline shows what the magnet itself holds',
    );
  }
  const watch = bindingFromFlags(flags, 'metainfo');
  const session = new Session({
    port: flags.port,
    dht,
    bind: watch?.binding,
    encryption: encryptionFromFlag(flags.encryption, 'metainfo'),
  });
  // A live line on a terminal only: piped, stderr stays for the one-line error.
  const reporter = process.stderr.isTTY ? new ProgressReporter({ json: false, tty: true }) : undefined;
  try {
    await session.listen();
    return (await fetchMetadata(session, magnet, flags.timeout * 1000, reporter)).meta;
  } catch (error) {
    if (error instanceof UserError && /^no metadata/.test(error.message)) {
      throw new UserError(`metainfo: ${error.message}; --offline shows what the magnet itself holds`);
    }
    throw error;
  } finally {
    reporter?.stop();
    watch?.stop();
    await session.close();
  }
}

export function magnetJson(m: Magnet) {
  return {
    infoHash: m.infoHash,
    ...(m.infoHashV2 ? { infoHashV2: m.infoHashV2 } : {}),
    name: m.name ?? null,
    length: m.length ?? null,
    trackers: m.trackers,
    webSeeds: m.webSeeds,
    peers: m.peers,
    ...(m.selectOnly ? { selectOnly: m.selectOnly } : {}),
  };
}

export function magnetSummary(m: Magnet): string {
  const rows: KeyValueRow[] = [['Name', m.name ?? '(not given)']];
  rows.push(['Info hash', m.infoHashV2 && m.infoHashV2.startsWith(m.infoHash) ? `${m.infoHash} (v2, truncated)` : m.infoHash]);
  if (m.infoHashV2) rows.push(['Info hash v2', m.infoHashV2]);
  if (m.length !== undefined) rows.push(['Size', `${formatBytes(m.length)} (${formatCount(m.length)} bytes)`]);
  rows.push(['Trackers', m.trackers.length > 0 ? m.trackers : ['none']]);
  if (m.webSeeds.length > 0) rows.push(['Web seeds', m.webSeeds]);
  if (m.peers.length > 0)
    rows.push(['Peers', m.peers.map((p) => (p.host.includes(':') ? `[${p.host}]:${p.port}` : `${p.host}:${p.port}`))]);
  if (m.selectOnly) rows.push(['Select only', m.selectOnly.join(', ')]);
  const note =
    'Note: this is what the magnet link itself holds (--offline). Without --offline, btui fetches the info dictionary (files, pieces) from the swarm.';
  return `${keyValueBlock(rows)}\n\n${printable(note)}\n`;
}
