// torrent-get: the requested fields of the selected torrents, as objects or as a table
// (first row the keys), and for `recently-active` the ids removed in the last minute.
import type { RpcTorrent, RpcTorrentParts } from '../backend.js';
import { RpcArgumentError, optOneOf, type Args } from '../args.js';
import { RECENTLY_ACTIVE_MS, parseIds, selectTorrents } from '../ids.js';
import { compileFields, torrentObject, torrentRow, type CompiledFields, type FieldContext } from '../torrent-fields.js';
import { BatchBytes, jsonArray, jsonArrayOfTexts } from '../json-chunks.js';
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
      : jsonArrayOfTexts(
          torrents,
          (t, i) => objectText(t, compiled, fieldContext, parts?.[i]),
          64,
          selector.kind === 'all' ? batchBytesFor(compiled) : undefined,
        );

  const result: Record<string, unknown> = { torrents: out };
  if (selector.kind === 'recently-active') result['removed'] = [...(await backend.removedSince(nowMs - RECENTLY_ACTIVE_MS))];
  return result;
}

/**
 * A torrent's object as JSON text, reused while nothing it is made of changed: the same (immutable)
 * torrent snapshot, the same field list, the same part arrays and session seed limits. A poll of
 * 10,000 mostly idle torrents every 2 s (Flood) then serialises only the ones that moved. Getters
 * are pure functions of those inputs, but for the few that read the clock (secondsSeeding...), never cached.
 */
interface Fragment {
  readonly keys: string;
  readonly parts: RpcTorrentParts | undefined;
  readonly ratioLimit: number;
  readonly ratioLimited: boolean;
  readonly text: string;
}

const fragments = new WeakMap<RpcTorrent, Fragment>();

/** The last full answer's encoded batches, per field list (a few lists at most: Flood's, Sonarr's...). */
const batchBytes = new Map<string, BatchBytes>();

function batchBytesFor(compiled: CompiledFields): BatchBytes {
  const key = compiled.keys.join(',');
  let kept = batchBytes.get(key);
  if (!kept) {
    if (batchBytes.size >= 4) batchBytes.delete(batchBytes.keys().next().value!);
    kept = new BatchBytes();
    batchBytes.set(key, kept);
  }
  return kept;
}
const keysText = new WeakMap<CompiledFields, string>();

function sameParts(a: RpcTorrentParts | undefined, b: RpcTorrentParts | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return a.files === b.files && a.peers === b.peers && a.trackers === b.trackers && a.pieces === b.pieces;
}

function objectText(t: RpcTorrent, compiled: CompiledFields, c: FieldContext, p: RpcTorrentParts | undefined): string {
  let keys = keysText.get(compiled);
  if (keys === undefined) {
    keys = compiled.keys.join('\0');
    keysText.set(compiled, keys);
  }
  if (compiled.needsClock) return JSON.stringify(torrentObject(t, compiled, c, p));
  const cached = fragments.get(t);
  if (
    cached &&
    cached.keys === keys &&
    sameParts(cached.parts, p) &&
    (!compiled.needsSession || (cached.ratioLimit === c.sessionSeedRatioLimit && cached.ratioLimited === c.sessionSeedRatioLimited))
  ) {
    return cached.text;
  }
  const text = JSON.stringify(torrentObject(t, compiled, c, p));
  fragments.set(t, { keys, parts: p, ratioLimit: c.sessionSeedRatioLimit, ratioLimited: c.sessionSeedRatioLimited, text });
  return text;
}
