import type { PeerAddress } from './types.js';

/** BEP 23 compact IPv4 peers: 4 address bytes + 2 port bytes each; a ragged tail is ignored. */
export function parseCompactPeers4(data: Uint8Array): PeerAddress[] {
  const peers: PeerAddress[] = [];
  for (let i = 0; i + 6 <= data.length; i += 6) {
    const port = (data[i + 4]! << 8) | data[i + 5]!;
    if (port === 0) continue;
    peers.push({ host: `${data[i]}.${data[i + 1]}.${data[i + 2]}.${data[i + 3]}`, port });
  }
  return peers;
}

/** BEP 7 compact IPv6 peers: 16 address bytes + 2 port bytes each. */
export function parseCompactPeers6(data: Uint8Array): PeerAddress[] {
  const peers: PeerAddress[] = [];
  for (let i = 0; i + 18 <= data.length; i += 18) {
    const port = (data[i + 16]! << 8) | data[i + 17]!;
    if (port === 0) continue;
    peers.push({ host: formatIPv6(data.subarray(i, i + 16)), port });
  }
  return peers;
}

/** RFC 5952 text form: lowercase, no leading zeros, the longest run of zero groups as '::'. */
export function formatIPv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
