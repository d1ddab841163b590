// What every RPC method handler receives, and its shape.
import type { RpcBackend, RpcTorrent } from '../backend.js';
import type { Args } from '../args.js';
import { parseIds, selectTorrents } from '../ids.js';

export interface MethodContext {
  readonly backend: RpcBackend;
  /** The current X-Transmission-Session-Id (session-get shows it). */
  readonly sessionId: () => string;
  /** Milliseconds since the epoch; tests set it. */
  readonly now: () => number;
}

/** A method's response `arguments` (an empty object when it has none). */
export type MethodHandler = (args: Args, ctx: MethodContext) => Promise<Record<string, unknown>>;

/** The torrents the request's `ids` name. */
export async function selected(args: Args, ctx: MethodContext): Promise<RpcTorrent[]> {
  const selector = parseIds(args['ids']);
  const all = await ctx.backend.listTorrents();
  return selectTorrents(all, selector, ctx.now());
}

/** The hashes of the torrents the request's `ids` name. */
export async function selectedHashes(args: Args, ctx: MethodContext): Promise<string[]> {
  return (await selected(args, ctx)).map((t) => t.hashString);
}
