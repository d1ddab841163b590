import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Session } from '../../source/engine/session/session.js';
import { TorrentService, type ServiceOptions } from '../../source/service/torrent-service.js';
import { Controller } from '../../source/store/controller.js';
import { TorrentStore } from '../../source/store/torrent-store.js';
import { LocalSource } from '../../source/store/local-source.js';

/**
 * The TUI's stack without the screen: a session on loopback, the service over it (state in
 * DIR/state, downloads in DIR/dl, resume files in DIR/state/resume), the store and the
 * controller. close() stops everything without saving (tests save when they mean to).
 */
export function openService(dir: string, options: Partial<ServiceOptions> & { t?: TestContext } = {}) {
  const resume = (h: string) => join(dir, 'state', 'resume', `${h}.resume`);
  const session = new Session({ host: '127.0.0.1', resumePath: resume });
  const service = new TorrentService(session, {
    stateDirectory: join(dir, 'state'),
    downloadDirectory: join(dir, 'dl'),
    saveDebounceMs: 20,
    resumePath: resume,
    ...options,
  });
  const store = new TorrentStore(new LocalSource(service, { diskIntervalMs: 0 }));
  const controller = new Controller(store);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    service.dispose();
    store.stop();
    await session.close();
  };
  options.t?.after(close);
  return { session, service, store, controller, close, resume };
}
