import { Limiter } from '../discovery/tracker/limiter.js';

/**
 * Full checks running at once, over every torrent. Each check reads ahead a few pieces (up to 4
 * piece buffers on this thread) and keeps its files open: 10,000 torrents added together would
 * otherwise read, hash and hold buffers for all of them at the same time, bounded by nothing.
 * The rest wait their turn in the checking state, as in Transmission and libtorrent (one at a time
 * there; a few here, since a small torrent's check is mostly waiting on the disk).
 */
export const MAX_CHECKS = 8;

/** For torrents made outside a session. */
export const sharedCheckLimiter = new Limiter(MAX_CHECKS);
