/** Peer ids (BEP 20): making ours and naming the client behind someone else's. */
import { randomBytes } from 'node:crypto';

/**
 * Azureus-style prefix: client code TU, version 0.1.0.0. TU is in neither libtorrent's
 * identify_client.cpp nor Transmission's clients.cc (BT, which btui once used, is the
 * original BitTorrent client's: other clients showed btui as "BitTorrent 0.1.0").
 */
export const PEER_ID_PREFIX = '-TU0100-';

export function makePeerId(): Buffer {
  return Buffer.concat([Buffer.from(PEER_ID_PREFIX, 'latin1'), randomBytes(20 - PEER_ID_PREFIX.length)]);
}

const AZUREUS_CLIENTS: Record<string, string> = {
  TU: 'btui',
  BT: 'BitTorrent',
  LT: 'libtorrent',
  lt: 'rtorrent/libTorrent',
  TR: 'Transmission',
  qB: 'qBittorrent',
  UT: 'uTorrent',
  UM: 'uTorrent Mac',
  UW: 'uTorrent Web',
  DE: 'Deluge',
  AZ: 'Vuze',
  BI: 'BiglyBT',
  KT: 'KTorrent',
  WW: 'WebTorrent',
  WD: 'WebTorrent Desktop',
  FD: 'Free Download Manager',
  PI: 'PicoTorrent',
  TL: 'Tribler',
  BC: 'BitComet',
  XL: 'Xunlei',
  SD: 'Thunder',
  FW: 'FrostWire',
  LW: 'LimeWire',
};

/** Azureus-style version characters: 0-9 then A-Z for 10-35 (libtorrent's 1.2.17 is "12H0"). */
function versionDigit(c: string): number | undefined {
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  if (c >= 'A' && c <= 'Z') return c.charCodeAt(0) - 55;
  return undefined;
}

function azureusVersion(code: string, v: string): string | undefined {
  const d = [...v].map(versionDigit);
  if (d[0] === undefined || d[1] === undefined || d[2] === undefined) return undefined;
  if (code === 'TR' && d[0] < 4) {
    // Transmission before 4.0 wrote major + two-digit minor: -TR2940- is 2.94.
    return `${d[0]}.${v[1]}${v[2]}`;
  }
  const parts = [d[0], d[1], d[2]];
  // The fourth character is a build number for some clients and a letter tag for others.
  if (v[3] !== undefined && v[3] >= '1' && v[3] <= '9') parts.push(d[3]!);
  return parts.join('.');
}

export function clientFromPeerId(id: Buffer): string {
  const s = id.subarray(0, 10).toString('latin1');
  const az = /^-([A-Za-z0-9]{2})([0-9A-Za-z]{4})-/.exec(s);
  if (az) {
    const name = AZUREUS_CLIENTS[az[1]!];
    if (name) {
      const version = azureusVersion(az[1]!, az[2]!);
      return version ? `${name} ${version}` : name;
    }
    return 'unknown';
  }
  const aria2 = /^A2-(\d+)-(\d+)-(\d+)-/.exec(s);
  if (aria2) return `aria2 ${Number(aria2[1])}.${Number(aria2[2])}.${Number(aria2[3])}`;
  // Mainline style: M4-3-6-- or M7-10-1-.
  const mainline = /^M(\d)-(\d+)-(\d+)-/.exec(s);
  if (mainline) return `BitTorrent ${mainline[1]}.${mainline[2]}.${mainline[3]}`;
  return 'unknown';
}
