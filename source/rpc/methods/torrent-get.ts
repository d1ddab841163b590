// torrent-get: the requested fields of the selected torrents, as objects or as a table
// (first row the keys), and for `recently-active` the ids removed in the last minute.
import type { RpcTorrentParts } from '../backend.js';
import { RpcArgumentError, optOneOf, type Args } from '../args.js';
import { RECENTLY_ACTIVE_MS, parseIds, selectTorrents } from '../ids.js';
import { compileFields, torrentObject, torrentRow, type FieldContext } from '../torrent-fields.js';
import { jsonArray } from '../json-chunks.js';
import type { MethodContext } from './context.js';

export async function torrentGet(args: Args, ctx: MethodContext): Promise<Record<string, unknown>> {
  const fields = args['fields'];
  if (fields === undefined) throw new RpcArgumentError('no fields specified');
  if (!Array.isArray(fields) || !fields.every((f) => typeof f === 'string')) {
    throw new RpcArgumentError('argument "fields" must be an array of strings');
  }
  const format = optOneOf(args, 'format', ['objects', 'table']) ?? 'objects';
  const selector = parseIds(args['ids']);
  const compiled = compileFields(fields as string[]);
  const { backend } = ctx;
  const nowMs = ctx.now();

  const torrents = selectTorrents(await backend.listTorrents(), selector, nowMs);
  let fieldContext: FieldContext = { nowMs, sessionSeedRatioLimit: 0, sessionSeedRatioLimited: false };
  if (compiled.needsSession && torrents.length > 0) {
    const { settings } = await backend.getSession();
    fieldContext = { nowMs, sessionSeedRatioLimit: settings.seedRatioLimit, sessionSeedRatioLimited: settings.seedRatioLimited };
  }

  // Heavy parts first (the backend may answer them asynchronously), then the JSON, a batch at a time.
  const wanted = compiled.parts;
  let parts: (RpcTorrentParts | undefined)[] | undefined;
  if (wanted) {
    parts = new Array(torrents.length);
    for (let i = 0; i < torrents.length; i++) {
      const answer = backend.torrentParts(torrents[i]!.hashString, wanted);
      // Await only real promises: 10,000 needless awaits cost more than the mapping.
      parts[i] = answer instanceof Promise ? await answer : answer;
    }
  }
  const out =
    format === 'table'
      ? jsonArray(torrents, (t, i) => torrentRow(t, compiled, fieldContext, parts?.[i]), [JSON.stringify(compiled.keys)])
      : jsonArray(torrents, (t, i) => torrentObject(t, compiled, fieldContext, parts?.[i]));

  const result: Record<string, unknown> = { torrents: out };
  if (selector.kind === 'recently-active') result['removed'] = [...(await backend.removedSince(nowMs - RECENTLY_ACTIVE_MS))];
  return result;
}
