// The parts of bittorrent-dht (untyped) that dht.ts uses.
declare module 'bittorrent-dht' {
  import { EventEmitter } from 'node:events';
  interface DhtNode {
    host: string;
    port: number;
  }
  interface DhtOptions {
    bootstrap?: (string | DhtNode)[] | false;
    nodeId?: Buffer | string;
    socket?: unknown;
    timeout?: number;
    concurrency?: number;
    maxTables?: number;
    maxValues?: number;
    maxPeers?: number;
  }
  export default class DHT extends EventEmitter {
    constructor(options?: DhtOptions);
    readonly nodeId: Buffer;
    readonly listening: boolean;
    readonly destroyed: boolean;
    nodes: { count(): number; toArray(): (DhtNode & { id: Buffer })[] };
    listen(port?: number, address?: string, onListening?: () => void): void;
    address(): { address: string; port: number; family: string };
    lookup(infoHash: Buffer | string, callback?: (error: Error | null, nodesWithPeers?: number) => void): () => void;
    announce(infoHash: Buffer | string, port: number, callback?: (error: Error | null) => void): void;
    addNode(node: DhtNode & { id?: Buffer }): void;
    toJSON(): { nodes: DhtNode[] };
    destroy(callback?: () => void): void;
  }
}
