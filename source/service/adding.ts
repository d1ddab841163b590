import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { encodeTorrentFile } from '../engine/metainfo/encode-torrent-file.js';
import { loadTorrent } from '../engine/metainfo/load-torrent.js';
import { magnetURI, parseInfoHash, parseMagnet, type Magnet } from '../engine/metainfo/magnet.js';
import { parseMetainfo, type Metainfo } from '../engine/metainfo/metainfo.js';
import type { ResolvedMagnet } from '../engine/session/magnet-resolver.js';
import type { Session } from '../engine/session/session.js';
import { describeError } from '../errors.js';
import { writeFileDurably } from '../session-state/durable-file.js';
import { formatBytes } from '../format/size.js';
import { printable, printableShort } from '../format/text.js';
import { classifyAddInput } from './add-input.js';
import { noteDataOnDisk } from './check-first.js';
import { newEntry, type Entry } from './entry.js';
import type { MagnetFetches, PendingMagnet } from './magnet-fetches.js';
import type { SessionPersistence } from './persistence.js';
import type { QueueManager } from './queue-manager.js';
import type { TorrentRegistry } from './registry.js';
import type { AddOptions, LogLevel } from './types.js';

export interface AddHost {
  readonly session: Pick<Session, 'add' | 'localAddress'>;
  readonly registry: Pick<TorrentRegistry, 'get' | 'newId' | 'register' | 'insert'>;
  readonly magnets: Pick<MagnetFetches, 'run' | 'cancel'>;
  readonly queue: Pick<QueueManager, 'request' | 'noteChange'>;
  readonly persistence: Pick<SessionPersistence, 'committed'>;
  downloadDirectory(): string;
  torrentFilePath(hash: string): string;
  log(level: LogLevel, text: string): void;
}

/** Adding torrents from every kind of input; each add resolves once it is saved. */
export class TorrentAdder {
  constructor(private readonly host: AddHost) {}

  /** A path, http(s) URL, magnet link or info-hash. Returns the info-hash, or undefined (with an error logged) when it cannot be added. */
  async add(text: string, options: AddOptions = {}): Promise<string | undefined> {
    const result = await this.addExplained(text, options);
    return 'hash' in result ? result.hash : undefined;
  }

  /** As add(), with the reason when it cannot be added (the add prompt shows it and stays open). */
  async addExplained(text: string, options: AddOptions = {}): Promise<{ hash: string } | { error: string }> {
    const input = classifyAddInput(text);
    if (input.kind === 'empty') return { error: 'nothing to add' };
    if (input.kind === 'magnet' || input.kind === 'infohash') return this.addMagnetExplained(input.value, options);
    let meta: Metainfo;
    try {
      meta =
        input.kind === 'file'
          ? parseMetainfo(await readFile(input.value))
          : await loadTorrent(input.value, { localAddress: this.host.session.localAddress() });
    } catch (error) {
      return this.refuse(input.value, error);
    }
    return { hash: await this.addMetainfo(meta, options) };
  }

  private refuse(what: string, error: unknown): { error: string } {
    const text = `cannot add ${printableShort(what)}: ${describeError(error)}`;
    this.host.log('error', text);
    return { error: text };
  }

  /** The bytes of a .torrent file (Transmission's `metainfo`). */
  async addTorrentBytes(bytes: Uint8Array, options: AddOptions = {}): Promise<string | undefined> {
    let meta: Metainfo;
    try {
      meta = parseMetainfo(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (error) {
      this.host.log('error', `cannot add the torrent given: ${describeError(error)}`);
      return undefined;
    }
    return this.addMetainfo(meta, options);
  }

  /**
   * A magnet link or bare info-hash: listed at once in state "metadata"; the torrent takes
   * its place (and its id) when the metadata arrives. Undefined when the text is not usable.
   */
  async addMagnet(text: string, options: AddOptions = {}): Promise<string | undefined> {
    const result = await this.addMagnetExplained(text, options);
    return 'hash' in result ? result.hash : undefined;
  }

  private async addMagnetExplained(text: string, options: AddOptions): Promise<{ hash: string } | { error: string }> {
    const { registry } = this.host;
    let magnet: Magnet;
    let uri = text.trim();
    try {
      if (/^magnet:/i.test(uri)) magnet = parseMagnet(uri);
      else {
        magnet = { infoHash: parseInfoHash(uri), trackers: [], webSeeds: [], peers: [] };
        uri = magnetURI({ infoHash: magnet.infoHash });
      }
    } catch (error) {
      return this.refuse(uri, error);
    }
    if (registry.get(magnet.infoHash)?.torrent || registry.get(magnet.infoHash)?.pending) {
      this.host.log('info', `already in the session: ${printable(magnet.name ?? magnet.infoHash)}`);
      return { hash: magnet.infoHash };
    }
    const entry = newEntry(registry.newId(), magnet.infoHash, 0, options);
    entry.pending = {
      infoHash: magnet.infoHash,
      uri,
      magnet,
      name: magnet.name || magnet.infoHash,
      directory: options.directory ?? this.host.downloadDirectory(),
      status: 'paused',
    };
    entry.userPaused = options.paused ?? false;
    registry.insert(entry);
    if (!options.paused) this.host.magnets.run(entry.pending);
    await this.host.persistence.committed(entry);
    return { hash: magnet.infoHash };
  }

  /** Adds a parsed torrent, keeps a copy of its .torrent for the session, and logs it. */
  async addMetainfo(meta: Metainfo, options: AddOptions = {}): Promise<string> {
    const { registry } = this.host;
    const existing = registry.get(meta.infoHash);
    if (existing?.torrent) {
      this.host.log('info', `already in the session: ${printable(meta.name)}`);
      return meta.infoHash;
    }
    if (!options.ephemeral) {
      const path = this.host.torrentFilePath(meta.infoHash);
      await mkdir(dirname(path), { recursive: true });
      // Synced before the add is acknowledged (the journal's sync then covers the directory).
      await writeFileDurably(path, [encodeTorrentFile(meta)]);
    }
    // Written meanwhile by another add of the same torrent.
    if (registry.get(meta.infoHash)?.torrent) return meta.infoHash;
    const pending = registry.get(meta.infoHash);
    let entry: Entry;
    if (pending) {
      // A magnet of the same torrent was waiting for this metadata: the torrent takes its place.
      entry = pending;
      if (entry.pending) this.host.magnets.cancel(entry.pending);
      entry.filePriorities = options.filePriorities ?? new Uint8Array(meta.files.length).fill(1);
    } else {
      entry = newEntry(registry.newId(), meta.infoHash, meta.files.length, options);
      registry.register(entry);
    }
    entry.ephemeral = options.ephemeral ?? entry.ephemeral;
    entry.userPaused = options.paused ?? false;
    const directory = options.directory ?? entry.pending?.directory ?? this.host.downloadDirectory();
    const torrent = this.host.session.add(meta, {
      directory,
      seedMode: options.seedMode,
      paused: true,
      filePriorities: options.filePriorities,
    });
    this.host.log('info', `added ${printable(meta.name)} (${formatBytes(meta.contentLength ?? meta.length)})`);
    // One queue pass for a burst of adds (a pass reads every torrent: 10,000 adds made 10,000 of them);
    // it runs before the add is acknowledged, which waits for a write. Demo torrents are not written: at once.
    if (!entry.userPaused) {
      this.host.queue.request(entry, { defer: !entry.ephemeral });
      void noteDataOnDisk(entry, torrent, (hash) => this.host.queue.noteChange(hash));
    }
    await this.host.persistence.committed(entry);
    return meta.infoHash;
  }

  /** A magnet's metadata arrived: the torrent is added in its place, with the peers that sent it. */
  async finishMagnet(pending: PendingMagnet, resolved: ResolvedMagnet): Promise<void> {
    const { meta, peers } = resolved;
    const select = pending.magnet.selectOnly;
    const filePriorities = select ? Uint8Array.from(meta.files, (_, i) => (select.includes(i) ? 1 : 0)) : undefined;
    this.host.log('info', `metadata for ${printable(meta.name)} arrived from the swarm`);
    const entry = this.host.registry.get(meta.infoHash);
    await this.addMetainfo(meta, { directory: pending.directory, ephemeral: entry?.ephemeral, filePriorities });
    this.host.registry.get(meta.infoHash)?.torrent?.addPeers(peers);
  }
}
