/**
 * Which side limits a download: samples btui's view of its one peer while data flows. Requests
 * always at the queue depth with the peer unchoking means btui asks enough and the peer is slow
 * to answer; few outstanding requests would put the limit on btui's side.
 */
import type { Torrent } from '../../source/engine/torrent/torrent.js';

export interface DownloadProbe {
  samples: number;
  /** Seconds from the probe's start (the first dial) to the peer's first unchoke. */
  unchokedAfterS?: number;
  /** Mean requests outstanding at the peer while it had btui unchoked. */
  meanRequests: number;
  /** Share of samples with the peer choking btui. */
  chokedShare: number;
  /** Times the peer choked btui. */
  chokes: number;
  /** Peak download rate seen, MB/s. */
  peakMBps: number;
}

export function probeDownload(torrent: Torrent, everyMs = 100): () => DownloadProbe {
  const started = performance.now();
  let unchokedAt: number | undefined;
  let samples = 0;
  let unchokedSamples = 0;
  let requests = 0;
  let choked = 0;
  let chokes = 0;
  let peak = 0;
  let wasChoking = true;
  const timer = setInterval(() => {
    const peer = torrent.peerStats().find((p) => p.id && !p.id.startsWith('http'));
    if (!peer) return;
    samples++;
    if (peer.peerChoking) choked++;
    else {
      unchokedAt ??= performance.now();
      unchokedSamples++;
      requests += peer.requests;
    }
    if (peer.peerChoking && !wasChoking) chokes++;
    wasChoking = peer.peerChoking;
    peak = Math.max(peak, peer.downloadRate);
  }, everyMs);
  return () => {
    clearInterval(timer);
    const round = (n: number) => Math.round(n * 100) / 100;
    return {
      samples,
      unchokedAfterS: unchokedAt === undefined ? undefined : round((unchokedAt - started) / 1000),
      meanRequests: round(unchokedSamples ? requests / unchokedSamples : 0),
      chokedShare: round(samples ? choked / samples : 0),
      chokes,
      peakMBps: round(peak / 1e6),
    };
  };
}
