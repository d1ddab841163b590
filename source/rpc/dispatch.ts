// One RPC request (already parsed JSON) to its response object: checks the envelope, finds the
// method, runs it, and turns any thrown error into the `result` string. Never throws.
import { isPlainObject } from './args.js';
import type { MethodContext, MethodHandler } from './methods/context.js';
import { torrentAdd } from './methods/torrent-add.js';
import { torrentGet } from './methods/torrent-get.js';
import { torrentSet } from './methods/torrent-set.js';
import {
  queueMove,
  torrentReannounce,
  torrentRemove,
  torrentRenamePath,
  torrentSetLocation,
  torrentStart,
  torrentStartNow,
  torrentStop,
  torrentVerify,
} from './methods/torrent-actions.js';
import { blocklistUpdate, freeSpace, portTest, sessionClose, sessionGet, sessionSet, sessionStats } from './methods/session.js';

export type { MethodContext } from './methods/context.js';

export const METHODS: Readonly<Record<string, MethodHandler>> = {
  'session-get': sessionGet,
  'session-set': sessionSet,
  'session-stats': sessionStats,
  'torrent-get': torrentGet,
  'torrent-add': torrentAdd,
  'torrent-set': torrentSet,
  'torrent-remove': torrentRemove,
  'torrent-start': torrentStart,
  'torrent-start-now': torrentStartNow,
  'torrent-stop': torrentStop,
  'torrent-verify': torrentVerify,
  'torrent-reannounce': torrentReannounce,
  'torrent-set-location': torrentSetLocation,
  'torrent-rename-path': torrentRenamePath,
  'session-close': sessionClose,
  'queue-move-top': queueMove('top'),
  'queue-move-up': queueMove('up'),
  'queue-move-down': queueMove('down'),
  'queue-move-bottom': queueMove('bottom'),
  'free-space': freeSpace,
  'port-test': portTest,
  'blocklist-update': blocklistUpdate,
};

export interface RpcResponse {
  result: string;
  arguments: Record<string, unknown>;
  tag?: number;
}

function errorText(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return typeof error === 'string' && error ? error : 'internal error';
}

/** A response for a request body that could not be read as JSON. */
export function badJsonResponse(detail: string): RpcResponse {
  return { result: `request body is not valid JSON: ${detail}`, arguments: {} };
}

export async function dispatch(request: unknown, ctx: MethodContext): Promise<RpcResponse> {
  if (!isPlainObject(request)) return { result: 'request must be a JSON object', arguments: {} };
  const tag = request['tag'];
  const response = (result: string, args: Record<string, unknown> = {}): RpcResponse =>
    typeof tag === 'number' && Number.isSafeInteger(tag) ? { result, arguments: args, tag } : { result, arguments: args };
  if (tag !== undefined && !(typeof tag === 'number' && Number.isSafeInteger(tag))) return response('"tag" must be an integer');

  const method = request['method'];
  if (method === undefined) return response('no method name');
  if (typeof method !== 'string') return response('"method" must be a string');
  const args = request['arguments'] ?? {};
  if (!isPlainObject(args)) return response('"arguments" must be an object');
  if (!Object.hasOwn(METHODS, method)) return response('method name not recognized');

  try {
    return response('success', await METHODS[method]!(args, ctx));
  } catch (error) {
    return response(errorText(error));
  }
}
