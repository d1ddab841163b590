import Conf from 'conf';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS } from './config.js';
import { UserError } from './errors.js';
import { jsonSyntaxError } from './format/json-error.js';
import { parseSchedule } from './format/schedule.js';
import type { HostSetting } from './remote/targets.js';

export type ColourMode = 'auto' | '16' | 'none';
export type KeymapPreset = 'default' | 'rtorrent';
/** MSE/PE for peer connections (the engine's EncryptionMode). */
export type EncryptionSetting = 'plaintext' | 'prefer' | 'require';

export interface Settings {
  downloadDirectory: string;
  /** Listen port; 0 = any free port. */
  port: number;
  /** Listen address; '' = all interfaces. */
  listenHost: string;
  /** Every socket leaves from this address and nothing else (a VPN's); '' = none. Wins over listenHost. */
  bindAddress: string;
  /** Every socket leaves from this interface's address; while it has none, no traffic at all. '' = none. */
  bindInterface: string;
  /** Bytes per second; 0 = unlimited. */
  downloadLimit: number;
  uploadLimit: number;
  /** Turtle mode (alternate limits, bytes/s; 0 = none): on now, and its schedule (minutes of the day, a day mask Sunday 1 ... Saturday 64). */
  altDownloadLimit: number;
  altUploadLimit: number;
  altSpeedEnabled: boolean;
  altSpeedScheduled: boolean;
  altSpeedBegin: number;
  altSpeedEnd: number;
  altSpeedDays: number;
  maxPeersPerTorrent: number;
  maxConnections: number;
  keymapPreset: KeymapPreset;
  /** Key remaps on top of the preset: action name -> keys, e.g. {"toggle": ["p"]}. */
  keys: Record<string, string[]>;
  /** How often the screen may refresh, in milliseconds. */
  refreshMs: number;
  colours: ColourMode;
  /** .torrent files dropped here are added, then moved into its `added/` subdirectory; '' = off. */
  watchDirectory: string;
  /** Torrents downloading at once; more wait as "queued", started by priority then age. 0 = no limit. */
  maxActiveDownloads: number;
  /**
   * Service-wide seed goals (torrents whose goal mode is 'global'), as Transmission's settings.json
   * keeps them: the value and whether it applies apart.
   */
  seedRatioLimit: number;
  seedRatioLimited: boolean;
  /** Minutes without upload. */
  seedIdleLimit: number;
  seedIdleLimited: boolean;
  /** BEP 5 DHT on the listen port. */
  dht: boolean;
  /** DHT bootstrap nodes, HOST:PORT comma-separated; '' = $BTUI_DHT_BOOTSTRAP if set, else the public routers. */
  dhtBootstrap: string;
  /** BEP 14 local service discovery (multicast on the LAN). */
  lsd: boolean;
  /** BEP 29 uTP on the listen port's UDP: accepted, and dialled first to peers known to speak it. */
  utp: boolean;
  /** TCP peer connections, in and out. */
  tcp: boolean;
  /** Where the Transmission-compatible RPC listens (btui daemon; the TUI with --rpc-port). */
  rpcBind: string;
  rpcPort: number;
  /** USER:PASSWORD for the RPC's Basic auth; '' = none (then only loopback is allowed). $BTUI_RPC_AUTH overrides. */
  rpcAuth: string;
  /** The list as it was left (the TUI checks the names): its view, its sort column and direction. */
  listView: string;
  listSort: string;
  listDescending: boolean;
  /** MSE/PE: prefer (encrypt when the peer can), require, plaintext. New connections follow a change at once. */
  encryption: EncryptionSetting;
  /** Remote daemons for `btui --connect NAME` / `--hosts`: URLs, or {url, name, username, password}. */
  hosts: HostSetting[];
  /** With --connect: show the in-process session beside the remote hosts (as --local does). */
  localWithHosts: boolean;
}

export function defaultSettings(): Settings {
  return {
    downloadDirectory: join(homedir(), 'Downloads'),
    port: DEFAULTS.port,
    listenHost: '',
    bindAddress: '',
    bindInterface: '',
    downloadLimit: 0,
    uploadLimit: 0,
    altDownloadLimit: 50 * 1024,
    altUploadLimit: 50 * 1024,
    altSpeedEnabled: false,
    altSpeedScheduled: false,
    altSpeedBegin: 9 * 60,
    altSpeedEnd: 17 * 60,
    altSpeedDays: 127,
    maxPeersPerTorrent: DEFAULTS.maxPeersPerTorrent,
    maxConnections: DEFAULTS.maxConnections,
    keymapPreset: 'default',
    keys: {},
    refreshMs: 500,
    colours: 'auto',
    watchDirectory: '',
    maxActiveDownloads: 5,
    seedRatioLimit: 2,
    seedRatioLimited: false,
    seedIdleLimit: 30,
    seedIdleLimited: false,
    dht: true,
    dhtBootstrap: '',
    lsd: false,
    utp: false,
    tcp: true,
    rpcBind: '127.0.0.1',
    rpcPort: 9091,
    rpcAuth: '',
    listView: 'all',
    listSort: 'added',
    listDescending: false,
    encryption: 'prefer',
    hosts: [],
    localWithHosts: false,
  };
}

/** Fields the settings screen offers, in order, with how to read typed text back. */
export const EDITABLE_SETTINGS: {
  key: keyof Settings;
  label: string;
  /**
   * 'rate': bytes/s in the file, KiB/s (or 512K, 1M) typed and shown as a rate, as the CLI's limits;
   * 'schedule': turtle mode's schedule in one line ("off", "22:00-06:30 weekends"), several keys of the file.
   */
  kind: 'text' | 'number' | 'rate' | 'choice' | 'boolean' | 'schedule';
  choices?: string[];
  /** For numbers: the smallest and largest whole value that makes sense. */
  range?: [number, number];
}[] = [
  { key: 'downloadDirectory', label: 'Download directory', kind: 'text' },
  { key: 'port', label: 'Listen port (next start)', kind: 'number', range: [0, 65535] },
  { key: 'downloadLimit', label: 'Download limit (KiB/s; 0 = none)', kind: 'rate' },
  { key: 'uploadLimit', label: 'Upload limit (KiB/s; 0 = none)', kind: 'rate' },
  { key: 'maxPeersPerTorrent', label: 'Max peers per torrent (next start)', kind: 'number', range: [1, 10_000] },
  { key: 'keymapPreset', label: 'Key preset', kind: 'choice', choices: ['default', 'rtorrent'] },
  { key: 'refreshMs', label: 'Refresh interval (ms)', kind: 'number', range: [100, 10_000] },
  { key: 'colours', label: 'Colours', kind: 'choice', choices: ['auto', '16', 'none'] },
  { key: 'watchDirectory', label: 'Watch directory', kind: 'text' },
  { key: 'maxActiveDownloads', label: 'Active downloads (0 = no limit)', kind: 'number', range: [0, 10_000] },
  { key: 'dht', label: 'DHT (next start)', kind: 'boolean', choices: ['on', 'off'] },
  { key: 'dhtBootstrap', label: 'DHT bootstrap nodes (next start)', kind: 'text' },
  { key: 'lsd', label: 'Local peer discovery (next start)', kind: 'boolean', choices: ['on', 'off'] },
  { key: 'utp', label: 'uTP peer connections (next start)', kind: 'boolean', choices: ['on', 'off'] },
  { key: 'tcp', label: 'TCP peer connections (next start)', kind: 'boolean', choices: ['on', 'off'] },
  { key: 'bindAddress', label: 'Bind to address (next start)', kind: 'text' },
  { key: 'bindInterface', label: 'Bind to interface (next start)', kind: 'text' },
  { key: 'encryption', label: 'Encryption (MSE/PE)', kind: 'choice', choices: ['prefer', 'require', 'plaintext'] },
  { key: 'altDownloadLimit', label: 'Turtle download limit (KiB/s)', kind: 'rate' },
  { key: 'altUploadLimit', label: 'Turtle upload limit (KiB/s)', kind: 'rate' },
  { key: 'altSpeedScheduled', label: 'Turtle schedule', kind: 'schedule' },
];

export type EditableSetting = (typeof EDITABLE_SETTINGS)[number];

/** Typed text for a settings field, read back into its value (and, for a field over several keys, the whole patch), or why it is refused. */
export function parseSettingInput(
  field: EditableSetting,
  typed: string,
): { value: string | number | boolean; patch?: Partial<Settings> } | { error: string } {
  const text = typed.trim();
  if (field.kind === 'schedule') {
    const parsed = parseSchedule(text);
    if ('error' in parsed) return { error: `${field.label}: ${parsed.error}` };
    const s = parsed.value;
    const patch: Partial<Settings> = { altSpeedScheduled: s.scheduled };
    if (s.begin !== undefined) Object.assign(patch, { altSpeedBegin: s.begin, altSpeedEnd: s.end, altSpeedDays: s.days });
    return { value: s.scheduled, patch };
  }
  if (field.kind === 'number') {
    const value = Number(text);
    if (text === '' || !Number.isFinite(value)) return { error: `${field.label}: '${text}' is not a number` };
    const range = field.range;
    if (range && (!Number.isInteger(value) || value < range[0] || value > range[1]))
      return { error: `${field.label}: '${text}' is not a whole number from ${range[0]} to ${range[1]}` };
    return { value };
  }
  if (field.kind === 'choice' || field.kind === 'boolean') {
    if (!field.choices?.includes(text)) return { error: `${field.label}: choose one of ${field.choices?.join(', ')}` };
    return { value: field.kind === 'boolean' ? text === 'on' : text };
  }
  return { value: text };
}

/**
 * A settings file that is not JSON: btui refuses to start rather than run on defaults and
 * later save them over the user's file. One line: the file, where, and the way out.
 */
export function configSyntaxError(path: string, text: string): UserError {
  const where = jsonSyntaxError(text);
  const position = where ? `:${where.line}:${where.column}` : '';
  const problem = where ? where.problem : 'not valid JSON';
  return new UserError(
    `the settings file ${path}${position} is not valid JSON (${problem}); fix it, or move it aside (mv ${shellWord(path)} ${shellWord(`${path}.bad`)}) to start with the defaults`,
  );
}

function shellWord(text: string): string {
  return /^[\w/.,:@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Settings in a JSON file under $XDG_CONFIG_HOME/btui/config.json (conf). Values that fail
 * validation fall back to their defaults rather than stopping the program; a file that is
 * not JSON at all stops it (configSyntaxError), and is left as it is.
 */
export class SettingsStore {
  private readonly conf: Conf<Settings>;

  constructor(options: { cwd?: string } = {}) {
    this.conf = new Conf<Settings>({
      projectName: 'btui',
      projectSuffix: '',
      defaults: defaultSettings(),
      cwd: options.cwd,
      // Called by conf as its own method, so `this.path` is the file being read.
      deserialize: function (this: Conf<Settings>, text: string) {
        try {
          return JSON.parse(text) as Settings;
        } catch {
          throw configSyntaxError(this.path, text);
        }
      },
    });
  }

  get path(): string {
    return this.conf.path;
  }

  read(): Settings {
    return sanitize(this.conf.store);
  }

  update(patch: Partial<Settings>): Settings {
    const next = sanitize({ ...this.read(), ...patch });
    this.conf.set(next);
    return next;
  }
}

/** Coerces a possibly hand-edited settings object into a valid one. */
export function sanitize(raw: Partial<Record<keyof Settings, unknown>>): Settings {
  const d = defaultSettings();
  const num = (v: unknown, fallback: number, min: number, max: number): number =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? Math.floor(v) : fallback;
  const str = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);
  const keys: Record<string, string[]> = {};
  if (raw.keys && typeof raw.keys === 'object') {
    for (const [action, list] of Object.entries(raw.keys as Record<string, unknown>)) {
      if (Array.isArray(list) && list.every((k) => typeof k === 'string')) keys[action] = list as string[];
    }
  }
  return {
    downloadDirectory: str(raw.downloadDirectory, d.downloadDirectory) || d.downloadDirectory,
    port: num(raw.port, d.port, 0, 65535),
    listenHost: str(raw.listenHost, d.listenHost),
    bindAddress: str(raw.bindAddress, '').trim(),
    bindInterface: str(raw.bindInterface, '').trim(),
    downloadLimit: num(raw.downloadLimit, 0, 0, 2 ** 40),
    uploadLimit: num(raw.uploadLimit, 0, 0, 2 ** 40),
    altDownloadLimit: num(raw.altDownloadLimit, d.altDownloadLimit, 0, 2 ** 40),
    altUploadLimit: num(raw.altUploadLimit, d.altUploadLimit, 0, 2 ** 40),
    altSpeedEnabled: raw.altSpeedEnabled === true,
    altSpeedScheduled: raw.altSpeedScheduled === true,
    altSpeedBegin: num(raw.altSpeedBegin, d.altSpeedBegin, 0, 24 * 60 - 1),
    altSpeedEnd: num(raw.altSpeedEnd, d.altSpeedEnd, 0, 24 * 60 - 1),
    altSpeedDays: num(raw.altSpeedDays, d.altSpeedDays, 0, 127),
    maxPeersPerTorrent: num(raw.maxPeersPerTorrent, d.maxPeersPerTorrent, 1, 10_000),
    maxConnections: num(raw.maxConnections, d.maxConnections, 1, 100_000),
    keymapPreset: raw.keymapPreset === 'rtorrent' ? 'rtorrent' : 'default',
    keys,
    refreshMs: num(raw.refreshMs, d.refreshMs, 100, 10_000),
    colours: raw.colours === '16' || raw.colours === 'none' ? raw.colours : 'auto',
    watchDirectory: str(raw.watchDirectory, ''),
    maxActiveDownloads: num(raw.maxActiveDownloads, d.maxActiveDownloads, 0, 10_000),
    seedRatioLimit:
      typeof raw.seedRatioLimit === 'number' && Number.isFinite(raw.seedRatioLimit) && raw.seedRatioLimit >= 0
        ? raw.seedRatioLimit
        : d.seedRatioLimit,
    seedRatioLimited: raw.seedRatioLimited === true,
    seedIdleLimit: num(raw.seedIdleLimit, d.seedIdleLimit, 0, 2 ** 31 - 1),
    seedIdleLimited: raw.seedIdleLimited === true,
    dht: typeof raw.dht === 'boolean' ? raw.dht : d.dht,
    dhtBootstrap: str(raw.dhtBootstrap, '').trim(),
    lsd: typeof raw.lsd === 'boolean' ? raw.lsd : d.lsd,
    utp: typeof raw.utp === 'boolean' ? raw.utp : d.utp,
    tcp: typeof raw.tcp === 'boolean' ? raw.tcp : d.tcp,
    rpcBind: str(raw.rpcBind, d.rpcBind).trim() || d.rpcBind,
    rpcPort: num(raw.rpcPort, d.rpcPort, 0, 65535),
    rpcAuth: str(raw.rpcAuth, ''),
    listView: str(raw.listView, d.listView),
    listSort: str(raw.listSort, d.listSort),
    listDescending: typeof raw.listDescending === 'boolean' ? raw.listDescending : d.listDescending,
    encryption: raw.encryption === 'plaintext' || raw.encryption === 'require' ? raw.encryption : 'prefer',
    hosts: Array.isArray(raw.hosts) ? raw.hosts.filter(isHostSetting) : [],
    localWithHosts: raw.localWithHosts === true,
  };
}

function isHostSetting(entry: unknown): entry is HostSetting {
  if (typeof entry === 'string') return entry.trim() !== '';
  if (typeof entry !== 'object' || entry === null) return false;
  const e = entry as Record<string, unknown>;
  return typeof e.url === 'string' && ['name', 'username', 'password'].every((k) => e[k] === undefined || typeof e[k] === 'string');
}
