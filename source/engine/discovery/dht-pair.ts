import type { Dht } from './dht.js';

/** What a peer search needs of a DHT. */
export type PeerDht = Pick<Dht, 'findPeers' | 'announce' | 'nodeCount'>;

/** The IPv4 and IPv6 DHTs as one: lookups run on both at once, announces go to both. */
export function bothDhts(dhts: PeerDht[]): PeerDht {
  return {
    findPeers: async (infoHash, onPeer) => {
      await Promise.all(dhts.map((dht) => dht.findPeers(infoHash, onPeer)));
    },
    announce: async (infoHash, port) => {
      await Promise.any(dhts.map((dht) => dht.announce(infoHash, port)));
    },
    nodeCount: () => dhts.reduce((sum, dht) => sum + dht.nodeCount(), 0),
  };
}
