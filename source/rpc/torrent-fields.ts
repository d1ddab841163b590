// torrent-get's fields: from btui's RpcTorrent snapshot to Transmission's names, types and units
// (rpc-version 17, the camelCase/kebab-case names of Transmission 2.x-4.0). A request's field list
// is compiled once into an array of getters, so 10,000 torrents cost one loop, computing only the
// fields asked for. Semantics follow libtransmission 3.00/4.0 (tr_torrentStat), noted per field. Over 400
// lines: one table of every field, read in one place.
import type {
  RpcFile,
  RpcLimitMode,
  RpcPartsWanted,
  RpcPeer,
  RpcTorrent,
  RpcTorrentParts,
  RpcTracker,
  RpcTorrentStatus,
  RpcErrorKind,
} from './backend.js';

/** What some fields need beyond the torrent itself: the clock and the session's default seed limits. */
export interface FieldContext {
  readonly nowMs: number;
  readonly sessionSeedRatioLimit: number;
  readonly sessionSeedRatioLimited: boolean;
  /** The backend's magnet links made when asked (RpcBackend.magnetLink). */
  readonly magnetLink?: (hashString: string) => string;
}

type Getter = (t: RpcTorrent, p: RpcTorrentParts, c: FieldContext) => unknown;

interface FieldSpec {
  readonly get: Getter;
  /** The heavy part this field reads, if any. */
  readonly part?: keyof RpcPartsWanted;
  /** Reads the session's seed limits from the context. */
  readonly session?: boolean;
  /** Reads the clock (FieldContext.nowMs): its JSON cannot be reused from one request to the next. */
  readonly clock?: boolean;
}

export const STATUS_CODE: Readonly<Record<RpcTorrentStatus, number>> = {
  stopped: 0,
  'check-wait': 1,
  check: 2,
  'download-wait': 3,
  download: 4,
  'seed-wait': 5,
  seed: 6,
};

export const ERROR_CODE: Readonly<Record<RpcErrorKind, number>> = { none: 0, 'tracker-warning': 1, 'tracker-error': 2, local: 3 };

export const MODE_CODE: Readonly<Record<RpcLimitMode, number>> = { global: 0, single: 1, unlimited: 2 };

/** Transmission's TR_ETA_NOT_AVAIL and TR_ETA_UNKNOWN, and TR_RATIO_NA and TR_RATIO_INF. */
export const ETA_NOT_AVAILABLE = -1;
export const ETA_UNKNOWN = -2;
export const RATIO_NOT_AVAILABLE = -1;
export const RATIO_INFINITE = -2;

/** Transmission shows speeds in kB/s of 1000 bytes (session-get's units.speed-bytes). */
export const SPEED_K = 1000;

const seconds = (ms: number): number => (ms > 0 ? Math.floor(ms / 1000) : 0);

/** tr_getRatio: numerator / denominator, or INF when only the numerator is non-zero, else NA. */
function ratio(numerator: number, denominator: number): number {
  if (denominator > 0) return numerator / denominator;
  return numerator > 0 ? RATIO_INFINITE : RATIO_NOT_AVAILABLE;
}

export function percentDone(t: RpcTorrent): number {
  return t.sizeWhenDone > 0 ? (t.sizeWhenDone - t.leftUntilDone) / t.sizeWhenDone : 0;
}

function isSeed(t: RpcTorrent): boolean {
  return t.leftUntilDone === 0 && t.metadataPercentComplete >= 1;
}

/** The seed ratio that applies to this torrent, or undefined when none does (tr_torrentGetSeedRatio). */
function effectiveSeedRatio(t: RpcTorrent, c: FieldContext): number | undefined {
  if (t.seedRatioMode === 'single') return t.seedRatioLimit;
  if (t.seedRatioMode === 'global' && c.sessionSeedRatioLimited) return c.sessionSeedRatioLimit;
  return undefined;
}

/** Bytes still to upload before the seed ratio is reached, or undefined when no ratio applies to a seed. */
function seedRatioBytesLeft(t: RpcTorrent, c: FieldContext): number | undefined {
  const limit = effectiveSeedRatio(t, c);
  if (limit === undefined || !isSeed(t)) return undefined;
  const baseline = t.downloadedEver > 0 ? t.downloadedEver : t.sizeWhenDone;
  const goal = Math.floor(baseline * limit);
  return goal > t.uploadedEver ? goal - t.uploadedEver : 0;
}

/** tr_torrentStat's eta: -1 when it cannot be had (not moving, or data missing from the swarm), -2 when unknown (no speed). */
export function eta(t: RpcTorrent, c: FieldContext): number {
  if (t.status === 'download') {
    if (t.leftUntilDone > t.desiredAvailable && t.webseeds.length === 0) return ETA_NOT_AVAILABLE;
    if (t.rateDownload <= 0) return ETA_UNKNOWN;
    return Math.floor(t.leftUntilDone / t.rateDownload);
  }
  if (t.status === 'seed') {
    const left = seedRatioBytesLeft(t, c);
    if (left === undefined) return ETA_NOT_AVAILABLE;
    if (t.rateUpload <= 0) return ETA_UNKNOWN;
    return Math.floor(left / t.rateUpload);
  }
  return ETA_NOT_AVAILABLE;
}

/** tr_stat.finished: done seeding, by its ratio or by its idle limit. */
export function isFinished(t: RpcTorrent, c: FieldContext): boolean {
  if (t.finishedSeedingByIdle === true) return true;
  return seedRatioBytesLeft(t, c) === 0;
}

/** tr_stat.ratio: uploaded over downloaded (or over what we have verified, when we downloaded nothing). */
export function uploadRatio(t: RpcTorrent): number {
  return ratio(t.uploadedEver, t.downloadedEver > 0 ? t.downloadedEver : t.haveValid);
}

function siteName(url: string): string {
  // Transmission's sitename: the host's registered name without its public suffix, e.g. "example".
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(url);
  const host = (m?.[1] ?? '').toLowerCase();
  if (host === '' || host.startsWith('[') || /^[\d.]+$/.test(host)) return host;
  const labels = host.split('.');
  return labels.length >= 2 ? labels[labels.length - 2]! : host;
}

function trackerHost(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(?:\[[^\]]*\]|[^:/?#]*)(?::\d+)?)/i.exec(url);
  return m?.[1] ?? url;
}

function trackerView(tr: RpcTracker): Record<string, unknown> {
  return { announce: tr.announce, id: tr.id, scrape: tr.scrape, sitename: siteName(tr.announce), tier: tr.tier };
}

function trackerStat(tr: RpcTracker): Record<string, unknown> {
  return {
    announce: tr.announce,
    announceState: tr.announceState ?? 0,
    downloadCount: tr.downloadCount ?? -1,
    hasAnnounced: tr.hasAnnounced ?? false,
    hasScraped: tr.hasScraped ?? false,
    host: trackerHost(tr.announce),
    id: tr.id,
    isBackup: tr.isBackup ?? false,
    lastAnnouncePeerCount: tr.lastAnnouncePeerCount ?? 0,
    lastAnnounceResult: tr.lastAnnounceResult ?? '',
    lastAnnounceStartTime: seconds(tr.lastAnnounceStartTime ?? 0),
    lastAnnounceSucceeded: tr.lastAnnounceSucceeded ?? false,
    lastAnnounceTime: seconds(tr.lastAnnounceTime ?? 0),
    lastAnnounceTimedOut: tr.lastAnnounceTimedOut ?? false,
    lastScrapeResult: tr.lastScrapeResult ?? '',
    lastScrapeStartTime: seconds(tr.lastScrapeStartTime ?? 0),
    lastScrapeSucceeded: tr.lastScrapeSucceeded ?? false,
    lastScrapeTime: seconds(tr.lastScrapeTime ?? 0),
    lastScrapeTimedOut: tr.lastScrapeTimedOut ?? false,
    leecherCount: tr.leecherCount ?? -1,
    nextAnnounceTime: seconds(tr.nextAnnounceTime ?? 0),
    nextScrapeTime: seconds(tr.nextScrapeTime ?? 0),
    scrape: tr.scrape,
    scrapeState: tr.scrapeState ?? 0,
    seederCount: tr.seederCount ?? -1,
    sitename: siteName(tr.announce),
    tier: tr.tier,
  };
}

/** The announce list as Transmission's trackerList text: one URL a line, a blank line between tiers. */
function trackerList(trackers: readonly RpcTracker[]): string {
  const tiers = new Map<number, string[]>();
  for (const tr of trackers) {
    const tier = tiers.get(tr.tier);
    if (tier) tier.push(tr.announce);
    else tiers.set(tr.tier, [tr.announce]);
  }
  return [...tiers.keys()]
    .sort((a, b) => a - b)
    .map((k) => tiers.get(k)!.join('\n'))
    .join('\n\n');
}

/** tr_peer_stat.flagStr, when the backend gives none. */
function peerFlags(p: RpcPeer): string {
  let s = '';
  if (p.isUploadingTo) s += 'U';
  else if (p.peerIsInterested) s += 'u';
  if (p.isDownloadingFrom) s += 'D';
  else if (p.clientIsInterested) s += 'd';
  if (!p.clientIsChoked && !p.clientIsInterested) s += 'K';
  if (!p.peerIsChoked && !p.peerIsInterested) s += '?';
  if (p.isEncrypted) s += 'E';
  if (p.isUtp) s += 'T';
  if (p.isIncoming) s += 'I';
  return s;
}

function peerView(p: RpcPeer): Record<string, unknown> {
  return {
    address: p.address,
    clientIsChoked: p.clientIsChoked,
    clientIsInterested: p.clientIsInterested,
    clientName: p.clientName,
    flagStr: p.flagStr ?? peerFlags(p),
    isDownloadingFrom: p.isDownloadingFrom,
    isEncrypted: p.isEncrypted,
    isIncoming: p.isIncoming,
    isUTP: p.isUtp,
    isUploadingTo: p.isUploadingTo,
    peerIsChoked: p.peerIsChoked,
    peerIsInterested: p.peerIsInterested,
    port: p.port,
    progress: p.progress,
    rateToClient: Math.round(p.rateToClient),
    rateToPeer: Math.round(p.rateToPeer),
  };
}

/**
 * Per-array caches of mapped views: a backend that hands back the same (immutable) trackers or
 * files array while nothing changed gets the same view objects back, not 10,000 new ones a poll.
 */
function cachedMap<T, R>(map: (item: T) => R): (list: readonly T[]) => R[] {
  const cache = new WeakMap<readonly T[], R[]>();
  return (list) => {
    let views = cache.get(list);
    if (!views) {
      views = list.map(map);
      cache.set(list, views);
    }
    return views;
  };
}

const trackerViews = cachedMap(trackerView);
const trackerStatsViews = cachedMap(trackerStat);
const fileViews = cachedMap((f: RpcFile) => ({ bytesCompleted: f.bytesCompleted, length: f.length, name: f.name }));
const fileStatViews = cachedMap((f: RpcFile) => ({ bytesCompleted: f.bytesCompleted, priority: f.priority, wanted: f.wanted }));

const NO_FILES: readonly RpcFile[] = [];
const NO_TRACKERS: readonly RpcTracker[] = [];
const files = (p: RpcTorrentParts): readonly RpcFile[] => p.files ?? NO_FILES;

function piecesBase64(t: RpcTorrent, p: RpcTorrentParts): string {
  const bits = p.pieces;
  if (!bits) return '';
  const length = Math.min(bits.byteLength, Math.ceil(t.pieceCount / 8));
  return Buffer.from(bits.buffer, bits.byteOffset, length).toString('base64');
}

/** Seconds since the snapshot was made, while the torrent still does what the clock counts. */
function runningSeconds(t: RpcTorrent, what: 'downloading' | 'seeding', c: FieldContext): number {
  return t.clockRunning === what && t.clockAt !== undefined ? Math.max(0, Math.floor((c.nowMs - t.clockAt) / 1000)) : 0;
}

const PEERS_FROM_NONE = { fromCache: 0, fromDht: 0, fromIncoming: 0, fromLpd: 0, fromLtep: 0, fromPex: 0, fromTracker: 0 };

const FIELDS: Readonly<Record<string, FieldSpec>> = {
  activityDate: { get: (t) => seconds(t.activityDate) },
  addedDate: { get: (t) => seconds(t.addedDate) },
  bandwidthPriority: { get: (t) => t.bandwidthPriority },
  comment: { get: (t) => t.comment },
  corruptEver: { get: (t) => t.corruptEver },
  creator: { get: (t) => t.creator },
  dateCreated: { get: (t) => seconds(t.dateCreated) },
  desiredAvailable: { get: (t) => t.desiredAvailable },
  doneDate: { get: (t) => seconds(t.doneDate) },
  downloadDir: { get: (t) => t.downloadDir },
  downloadedEver: { get: (t) => t.downloadedEver },
  downloadLimit: { get: (t) => Math.floor(t.downloadLimit / SPEED_K) },
  downloadLimited: { get: (t) => t.downloadLimited },
  editDate: { get: (t) => seconds(t.editDate) },
  error: { get: (t) => ERROR_CODE[t.error] },
  errorString: { get: (t) => t.errorString },
  eta: { get: (t, _p, c) => eta(t, c), session: true },
  etaIdle: { get: () => ETA_NOT_AVAILABLE },
  'file-count': { get: (t) => t.fileCount },
  // Sonarr asks for "fileCount"; answer it under that name too.
  fileCount: { get: (t) => t.fileCount },
  files: {
    part: 'files',
    get: (_t, p) => fileViews(files(p)),
  },
  fileStats: {
    part: 'files',
    get: (_t, p) => fileStatViews(files(p)),
  },
  group: { get: () => '' },
  hashString: { get: (t) => t.hashString },
  haveUnchecked: { get: (t) => t.haveUnchecked },
  haveValid: { get: (t) => t.haveValid },
  honorsSessionLimits: { get: (t) => t.honorsSessionLimits },
  id: { get: (t) => t.id },
  isFinished: { get: (t, _p, c) => isFinished(t, c), session: true },
  isPrivate: { get: (t) => t.isPrivate },
  isStalled: { get: (t) => t.isStalled },
  labels: { get: (t) => t.labels },
  leftUntilDone: { get: (t) => t.leftUntilDone },
  magnetLink: { get: (t, _p, c) => t.magnetLink || (c.magnetLink?.(t.hashString) ?? '') },
  manualAnnounceTime: { get: (t) => seconds(t.manualAnnounceTime) },
  maxConnectedPeers: { get: (t) => t.peerLimit },
  metadataPercentComplete: { get: (t) => t.metadataPercentComplete },
  name: { get: (t) => t.name },
  'peer-limit': { get: (t) => t.peerLimit },
  peers: { part: 'peers', get: (_t, p) => (p.peers ?? []).map(peerView) },
  peersConnected: { get: (t) => t.peersConnected },
  peersFrom: { get: (t) => t.peersFrom ?? PEERS_FROM_NONE },
  peersGettingFromUs: { get: (t) => t.peersGettingFromUs },
  peersSendingToUs: { get: (t) => t.peersSendingToUs },
  percentComplete: { get: (t) => (t.totalSize > 0 ? Math.min(1, (t.haveValid + t.haveUnchecked) / t.totalSize) : 0) },
  percentDone: { get: (t) => percentDone(t) },
  pieceCount: { get: (t) => t.pieceCount },
  pieceSize: { get: (t) => t.pieceSize },
  pieces: { part: 'pieces', get: piecesBase64 },
  'primary-mime-type': { get: (t) => t.primaryMimeType || 'application/octet-stream' },
  priorities: { part: 'files', get: (_t, p) => files(p).map((f) => f.priority) },
  queuePosition: { get: (t) => t.queuePosition },
  // Whole bytes/s, as Transmission sends them: transmission-remote leaves out a torrent whose rate is fractional.
  rateDownload: { get: (t) => Math.round(t.rateDownload) },
  rateUpload: { get: (t) => Math.round(t.rateUpload) },
  recheckProgress: { get: (t) => t.recheckProgress },
  secondsDownloading: { get: (t, _p, c) => t.secondsDownloading + runningSeconds(t, 'downloading', c), clock: true },
  secondsSeeding: { get: (t, _p, c) => t.secondsSeeding + runningSeconds(t, 'seeding', c), clock: true },
  seedIdleLimit: { get: (t) => t.seedIdleLimit },
  seedIdleMode: { get: (t) => MODE_CODE[t.seedIdleMode] },
  seedRatioLimit: { get: (t) => t.seedRatioLimit },
  seedRatioMode: { get: (t) => MODE_CODE[t.seedRatioMode] },
  sequentialDownload: { get: (t) => t.sequentialDownload },
  sizeWhenDone: { get: (t) => t.sizeWhenDone },
  startDate: { get: (t) => seconds(t.startDate) },
  status: { get: (t) => STATUS_CODE[t.status] },
  torrentFile: { get: () => '' },
  totalSize: { get: (t) => t.totalSize },
  trackerList: { part: 'trackers', get: (_t, p) => trackerList(p.trackers ?? []) },
  trackers: { part: 'trackers', get: (_t, p) => trackerViews(p.trackers ?? NO_TRACKERS) },
  trackerStats: { part: 'trackers', get: (_t, p) => trackerStatsViews(p.trackers ?? NO_TRACKERS) },
  uploadedEver: { get: (t) => t.uploadedEver },
  uploadLimit: { get: (t) => Math.floor(t.uploadLimit / SPEED_K) },
  uploadLimited: { get: (t) => t.uploadLimited },
  uploadRatio: { get: (t) => uploadRatio(t) },
  // Transmission 4.0 still sends `wanted` as 0/1, not booleans (rpc-spec's note).
  wanted: { part: 'files', get: (_t, p) => files(p).map((f) => (f.wanted ? 1 : 0)) },
  webseeds: { get: (t) => t.webseeds },
  webseedsSendingToUs: { get: (t) => t.webseedsSendingToUs },
};

export const TORRENT_FIELD_NAMES: readonly string[] = Object.keys(FIELDS);

export interface CompiledFields {
  /** The known fields asked for, without repeats, in the order asked. Unknown names are skipped, as Transmission does. */
  readonly keys: readonly string[];
  readonly getters: readonly Getter[];
  /** Heavy parts to ask the backend for; undefined when none is needed. */
  readonly parts: RpcPartsWanted | undefined;
  /** Whether the FieldContext's session seed limits are read. */
  readonly needsSession: boolean;
  /** Whether a field reads the clock. */
  readonly needsClock: boolean;
}

export function compileFields(names: readonly string[]): CompiledFields {
  const keys: string[] = [];
  const getters: Getter[] = [];
  let parts: RpcPartsWanted | undefined;
  let needsSession = false;
  let needsClock = false;
  for (const name of names) {
    if (!Object.hasOwn(FIELDS, name) || keys.includes(name)) continue;
    const spec = FIELDS[name]!;
    keys.push(name);
    getters.push(spec.get);
    if (spec.part) (parts ??= {})[spec.part] = true;
    if (spec.session) needsSession = true;
    if (spec.clock) needsClock = true;
  }
  return { keys, getters, parts, needsSession, needsClock };
}

const NO_PARTS: RpcTorrentParts = {};

/** One torrent as a Transmission object of the compiled fields. */
export function torrentObject(
  t: RpcTorrent,
  compiled: CompiledFields,
  c: FieldContext,
  p: RpcTorrentParts = NO_PARTS,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const { keys, getters } = compiled;
  for (let i = 0; i < keys.length; i++) out[keys[i]!] = getters[i]!(t, p, c);
  return out;
}

/** One torrent as a row of torrent-get's table format (values in `keys` order). */
export function torrentRow(t: RpcTorrent, compiled: CompiledFields, c: FieldContext, p: RpcTorrentParts = NO_PARTS): unknown[] {
  const { getters } = compiled;
  const row = new Array<unknown>(getters.length);
  for (let i = 0; i < getters.length; i++) row[i] = getters[i]!(t, p, c);
  return row;
}
