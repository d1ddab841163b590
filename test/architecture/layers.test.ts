import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { importsOf, projectImports, violations } from './import-rules.js';

const root = fileURLToPath(new URL('../../source/', import.meta.url));

test('the layers hold: no source file imports across a forbidden boundary', () => {
  const refs = projectImports(root);
  assert.ok(refs.length > 300, `read only ${refs.length} imports: the reader is broken`);
  assert.deepEqual(violations(refs), []);
});

test('the rules catch each kind of violation, and let types through only where allowed', () => {
  const at = (file: string, text: string) => importsOf(text, `${root}${file}`, root);
  const cases: [string, string, boolean][] = [
    ['engine/torrent/torrent.ts', "import { TorrentStore } from '../../store/torrent-store.js';", true],
    ['engine/torrent/torrent.ts', "import type { Row } from '../../store/row.js';", true],
    ['engine/torrent/torrent.ts', "const ui = await import('../../ui/app.js');", true],
    ['engine/torrent/torrent.ts', "import { Box } from 'ink';", true],
    ['engine/torrent/torrent.ts', "import { Bitfield } from '../codec/bitfield.js';", false],
    ['store/controller.ts', "import { metainfoSummary } from '../commands/metainfo.js';", true],
    ['store/controller.ts', "export { App } from '../ui/app.js';", true],
    ['ui/app.tsx', "import { Session } from '../engine/session/session.js';", true],
    ['ui/app.tsx', "import type { TorrentStats } from '../engine/torrent/torrent.js';", false],
    ['ui/app.tsx', "import { type TorrentStats, type PeerStats } from '../engine/torrent/torrent.js';", false],
    ['ui/app.tsx', "import { type TorrentStats, Torrent } from '../engine/torrent/torrent.js';", true],
    ['service/torrent-service.ts', "import { TorrentStore } from '../store/torrent-store.js';", true],
    ['service/torrent-service.ts', "import type { Snapshot } from '../store/types.js';", true],
    ['service/torrent-service.ts', "import { App } from '../ui/app.js';", true],
    ['service/torrent-service.ts', "import { run } from '../commands/download.js';", true],
    ['service/torrent-service.ts', "import { useState } from 'react';", true],
    ['service/torrent-service.ts', "import { Session } from '../engine/session/session.js';", false],
    ['service/torrent-service.ts', "import { readSessionFile } from '../session-state/session-file.js';", false],
    ['service/torrent-service.ts', "import { printable } from '../format/text.js';", false],
    ['store/torrent-store.ts', "import { TorrentService } from '../service/torrent-service.js';", false],
    ['ui/app.tsx', "import type { TorrentSummary } from '../service/types.js';", false],
    ['ui/app.tsx', "import { TorrentService } from '../service/torrent-service.js';", true],
    ['engine/torrent/torrent.ts', "import type { TorrentRef } from '../../service/types.js';", true],
    ['session-state/session-file.ts', "import { TorrentService } from '../service/torrent-service.js';", true],
    ['commands/metainfo.ts', "import { render } from 'ink';", true],
    ['commands/metainfo.ts', "import { Session } from '../engine/session/session.js';", false],
    ['rpc/server.ts', "import { TorrentStore } from '../store/torrent-store.js';", true],
    ['rpc/server.ts', "import { Session } from '../engine/session/session.js';", true],
    ['rpc/server.ts', "import type { TorrentStats } from '../engine/torrent/torrent.js';", false],
    ['rpc/methods/torrent-get.ts', "import { compileFields } from '../torrent-fields.js';", false],
  ];
  for (const [file, text, bad] of cases) {
    assert.equal(violations(at(file, text)).length > 0, bad, `${file}: ${text}`);
  }
});
