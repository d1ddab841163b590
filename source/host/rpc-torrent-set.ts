/** The RPC's per-torrent changes over the service: torrent-set, set-location, queue moves. */
import type { RpcFileSelection, RpcQueueMove, RpcTorrentChanges } from '../rpc/backend.js';
import type { TorrentService } from '../service/torrent-service.js';
import type { TorrentSummary } from '../service/types.js';
import { nextLimit } from './rpc-session.js';

export async function setLocation(service: TorrentService, hashes: readonly string[], location: string, move: boolean): Promise<void> {
  for (const hash of hashes) {
    const ok = await service.move(hash, location, { moveData: move });
    if (!ok)
      throw new Error(
        `could not ${move ? 'move the data of' : 'relocate'} ${service.summary(hash)?.name ?? hash} to ${location} (see the log)`,
      );
  }
}

export async function setTorrents(service: TorrentService, hashes: readonly string[], changes: RpcTorrentChanges): Promise<void> {
  if (changes.trackerAdd || changes.trackerRemove || changes.trackerList) throw new Error("btui cannot edit a torrent's trackers yet");
  for (const hash of hashes) {
    const summary = service.summary(hash);
    if (!summary) continue;
    if (changes.labels) await service.setLabels(hash, changes.labels);
    const goals = {
      ...(changes.seedRatioLimit !== undefined ? { seedRatioLimit: changes.seedRatioLimit } : {}),
      ...(changes.seedRatioMode !== undefined ? { seedRatioMode: changes.seedRatioMode } : {}),
      ...(changes.seedIdleLimit !== undefined ? { seedIdleLimit: changes.seedIdleLimit } : {}),
      ...(changes.seedIdleMode !== undefined ? { seedIdleMode: changes.seedIdleMode } : {}),
    };
    if (Object.keys(goals).length > 0) await service.setSeedGoals(hash, goals);
    const limits = {
      download: nextLimit(summary.downloadLimit, changes.downloadLimit, changes.downloadLimited),
      upload: nextLimit(summary.uploadLimit, changes.uploadLimit, changes.uploadLimited),
    };
    if (limits.download !== summary.downloadLimit || limits.upload !== summary.uploadLimit) await service.setTorrentLimits(hash, limits);
    if (changes.bandwidthPriority !== undefined) await service.setPriority(hash, changes.bandwidthPriority + 2);
    if (changes.queuePosition !== undefined) await service.setQueuePosition(hash, changes.queuePosition);
    const priorities = filePriorityChanges(service, hash, changes);
    if (priorities) await service.setFilePriorities(hash, priorities);
    if (changes.location !== undefined) await setLocation(service, [hash], changes.location, false);
  }
}

function filePriorityChanges(service: TorrentService, hash: string, changes: RpcTorrentChanges): number[] | undefined {
  const { filesWanted, filesUnwanted, priorityHigh, priorityNormal, priorityLow } = changes;
  if (!filesWanted && !filesUnwanted && !priorityHigh && !priorityNormal && !priorityLow) return undefined;
  const files = service.files(hash);
  const meta = service.metainfo(hash);
  if (!files || !meta) return undefined;
  const priorities = Array.from({ length: meta.files.length }, () => 1);
  for (const f of files) priorities[f.index] = f.priority;
  const apply = (selection: RpcFileSelection | undefined, change: (current: number) => number) => {
    if (!selection) return;
    const indices = selection === 'all' ? files.map((_, i) => i) : selection;
    for (const i of indices) {
      const file = files[i];
      if (!file) throw new Error(`no file ${i} in ${meta.name}`);
      priorities[file.index] = change(priorities[file.index]!);
    }
  };
  // Wanted-ness and priority are one number here (0 skip, 1 normal, 2 high); low counts as normal.
  apply(filesWanted, (p) => (p === 0 ? 1 : p));
  apply(priorityHigh, (p) => (p === 0 ? 0 : 2));
  apply(priorityNormal, (p) => (p === 0 ? 0 : 1));
  apply(priorityLow, (p) => (p === 0 ? 0 : 1));
  apply(filesUnwanted, () => 0);
  return priorities;
}

export async function moveInQueue(service: TorrentService, hashes: readonly string[], where: RpcQueueMove): Promise<void> {
  const ordered = hashes
    .map((hash) => service.summary(hash))
    .filter((s): s is TorrentSummary => s !== undefined)
    .sort((a, b) => a.queuePosition - b.queuePosition);
  // Top and down go in reverse so the selection keeps its own order.
  if (where === 'top' || where === 'down') ordered.reverse();
  const last = Math.max(0, service.size - 1);
  for (const s of ordered) {
    const position = service.summary(s.id)?.queuePosition ?? s.queuePosition;
    const target =
      where === 'top' ? 0 : where === 'bottom' ? last : where === 'up' ? Math.max(0, position - 1) : Math.min(last, position + 1);
    if (target !== position) await service.setQueuePosition(s.id, target);
  }
}
