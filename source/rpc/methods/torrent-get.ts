// torrent-get: the requested fields of the selected torrents, as objects or as a table
// (first row the keys), and for `recently-active` the ids removed in the last minute.
import type { RpcTorrent, RpcTorrentParts } from '../backend.js';
import { RpcArgumentError, optOneOf, type Args } from '../args.js';
import { RECENTLY_ACTIVE_MS, parseIds, selectTorrents } from '../ids.js';
import { compileFields, torrentObject, torrentRow, type CompiledFields, type FieldContext } from '../torrent-fields.js';
import { BatchBytes, jsonArray, jsonArrayOfTexts, type Reuse } from '../json-chunks.js';
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
  const magnetLink = backend.magnetLink?.bind(backend);
  let fieldContext: FieldContext = { nowMs, sessionSeedRatioLimit: 0, sessionSeedRatioLimited: false, magnetLink };
  if (compiled.needsSession && torrents.length > 0) {
    const { settings } = await backend.getSession();
    fieldContext = {
      nowMs,
      sessionSeedRatioLimit: settings.seedRatioLimit,
      sessionSeedRatioLimited: settings.seedRatioLimited,
      magnetLink,
    };
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
          (t, i) => JSON.stringify(torrentObject(t, compiled, fieldContext, parts?.[i])),
          64,
          selector.kind === 'all' && !compiled.needsClock ? reuseFor(compiled, fieldContext, parts) : undefined,
        );

  const result: Record<string, unknown> = { torrents: out };
  if (selector.kind === 'recently-active') result['removed'] = [...(await backend.removedSince(nowMs - RECENTLY_ACTIVE_MS))];
  return result;
}

/**
 * A full answer's JSON reused from the last one of the same field list, torrent by torrent, while
 * nothing a torrent's object is made of changed: the same (immutable) torrent snapshot, the same
 * part arrays and session seed limits. A poll of 10,000 mostly idle torrents every 2 s (Flood)
 * then serialises only the ones that moved. Getters are pure functions of those inputs, but for
 * the few that read the clock (secondsSeeding...): a field list with one of them is never reused.
 */
const batchBytes = new Map<string, BatchBytes>();

function reuseFor(compiled: CompiledFields, c: FieldContext, parts: (RpcTorrentParts | undefined)[] | undefined): Reuse<RpcTorrent> {
  const key = compiled.keys.join(',');
  let kept = batchBytes.get(key);
  if (!kept) {
    // A few field lists at most: Flood's, Sonarr's...
    if (batchBytes.size >= 4) batchBytes.delete(batchBytes.keys().next().value!);
    kept = new BatchBytes();
    batchBytes.set(key, kept);
  }
  const context = compiled.needsSession ? `${c.sessionSeedRatioLimit} ${c.sessionSeedRatioLimited}` : '';
  if (kept.context !== context) {
    kept.batches = [];
    kept.context = context;
  }
  return {
    kept,
    tag: (_t, i) => partsTag(parts?.[i]),
    same: (_t, i, tag) => {
      const p = parts?.[i];
      const t = partsTag(p);
      // Several parts: the tag is the parts object of last time (the same field list, the same parts asked).
      return tag === t || (t === p && p !== undefined && sameParts(tag as RpcTorrentParts, p));
    },
  };
}

/** What a text was made from besides its snapshot: its one part itself (no object kept a torrent), else its parts. */
function partsTag(p: RpcTorrentParts | undefined): unknown {
  if (!p) return undefined;
  const { files, peers, trackers, pieces } = p;
  const count = (files ? 1 : 0) + (peers ? 1 : 0) + (trackers ? 1 : 0) + (pieces ? 1 : 0);
  return count === 1 ? (files ?? peers ?? trackers ?? pieces) : p;
}

function sameParts(a: RpcTorrentParts | undefined, b: RpcTorrentParts | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return a.files === b.files && a.peers === b.peers && a.trackers === b.trackers && a.pieces === b.pieces;
}
