// Tit-for-tat choking as pure functions of peer stats: the caller owns the clock and the timers.

export interface ChokerPeer {
  id: string;
  interested: boolean;
  /** Bytes/s this peer gives us. */
  downloadRate: number;
  /** Bytes/s we give this peer. */
  uploadRate: number;
  snubbed: boolean;
  connectedAt: number;
  lastUnchokedAt?: number;
  isSeed?: boolean;
}

export interface ChokerOptions {
  uploadSlots: number;
  seeding: boolean;
  /** The current optimistic peer id, chosen by pickOptimistic. */
  optimistic?: string;
}

export const SNUB_AFTER_MS = 60_000;
/** Peers connected for less than this are favoured by the optimistic unchoke. */
export const NEW_PEER_MS = 60_000;
const NEW_PEER_WEIGHT = 3;

function byId(a: ChokerPeer, b: ChokerPeer): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function leastRecentlyUnchoked(a: ChokerPeer, b: ChokerPeer): number {
  return (a.lastUnchokedAt ?? -Infinity) - (b.lastUnchokedAt ?? -Infinity) || 0;
}

function compareLeeching(a: ChokerPeer, b: ChokerPeer): number {
  return b.downloadRate - a.downloadRate || leastRecentlyUnchoked(a, b) || byId(a, b);
}

function compareSeeding(a: ChokerPeer, b: ChokerPeer): number {
  return b.uploadRate - a.uploadRate || leastRecentlyUnchoked(a, b) || byId(a, b);
}

/**
 * The peers to unchoke: the best `uploadSlots - 1` interested non-seed peers (by what they give us
 * when leeching, snubbed ones excluded; by what we give them when seeding), plus the optimistic
 * peer if it is present and interested. With no usable optimistic peer its slot goes to the next best.
 */
export function chooseUnchoked(peers: ChokerPeer[], options: ChokerOptions): Set<string> {
  const slots = Math.max(0, options.uploadSlots);
  const optimistic =
    options.optimistic === undefined ? undefined : peers.find((p) => p.id === options.optimistic && p.interested && !p.isSeed);
  const regularSlots = optimistic ? slots - 1 : slots;
  const candidates = peers.filter((p) => p.interested && !p.isSeed && p !== optimistic && (options.seeding || !p.snubbed));
  candidates.sort(options.seeding ? compareSeeding : compareLeeching);
  const unchoked = new Set<string>();
  for (const p of candidates) {
    if (unchoked.size >= regularSlots) break;
    unchoked.add(p.id);
  }
  if (optimistic && slots > 0) unchoked.add(optimistic.id);
  return unchoked;
}

/** A random interested peer outside `regular`; peers connected under a minute are 3x as likely. */
export function pickOptimistic(peers: ChokerPeer[], regular: Set<string>, now: number, random: () => number): string | undefined {
  const pool: ChokerPeer[] = [];
  const weights: number[] = [];
  let total = 0;
  for (const p of peers) {
    if (!p.interested || p.isSeed || regular.has(p.id)) continue;
    const w = now - p.connectedAt < NEW_PEER_MS ? NEW_PEER_WEIGHT : 1;
    pool.push(p);
    weights.push(w);
    total += w;
  }
  if (pool.length === 0) return undefined;
  let r = random() * total;
  for (let i = 0; i < pool.length; i++) {
    r -= weights[i]!;
    if (r < 0) return pool[i]!.id;
  }
  return pool[pool.length - 1]!.id;
}

/**
 * A peer is snubbed when we are waiting on requests from it and nothing has arrived for a while.
 * `lastBlockAt` should be the later of its last block and when the current requests were first sent.
 */
export function isSnubbed(lastBlockAt: number, outstanding: number, now: number, snubAfterMs = SNUB_AFTER_MS): boolean {
  return outstanding > 0 && now - lastBlockAt >= snubAfterMs;
}
