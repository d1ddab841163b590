// torrent-get: the requested fields of the selected torrents, as objects or as a table
// (first row the keys), and for `recently-active` the ids removed in the last minute.
import type { RpcTorrentParts } from '../backend.js';
import { RpcArgumentError, optOneOf, type Args } from '../args.js';
import { RECENTLY_ACTIVE_MS, parseIds, selectTorrents } from '../ids.js';
import { compileFields, torrentObject, torrentRow, type FieldContext } from '../torrent-fields.js';
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

  const out: unknown[] = [];
  if (format === 'table') out.push(compiled.keys);
  const wanted = compiled.parts;
  for (const t of torrents) {
    let parts: RpcTorrentParts | undefined;
    if (wanted) {
      const answer = backend.torrentParts(t.hashString, wanted);
      // Await only real promises: 10,000 needless awaits cost more than the mapping.
      parts = answer instanceof Promise ? await answer : answer;
    }
    out.push(format === 'table' ? torrentRow(t, compiled, fieldContext, parts) : torrentObject(t, compiled, fieldContext, parts));
  }

  const result: Record<string, unknown> = { torrents: out };
  if (selector.kind === 'recently-active') result['removed'] = [...(await backend.removedSince(nowMs - RECENTLY_ACTIVE_MS))];
  return result;
}
