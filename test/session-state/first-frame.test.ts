import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { firstFramePath, forgetFirstFrame, frameKey, readFirstFrame, writeFirstFrame } from '../../source/session-state/first-frame.js';
import { tempDir } from '../helpers/tools.js';

function setUp(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t);
  const state = join(dir, 'state');
  mkdirSync(state, { recursive: true });
  const configPath = join(dir, 'config.json');
  writeFileSync(join(state, 'session.json'), '{"version":1,"torrents":[]}\n');
  writeFileSync(configPath, '{"port":6881}\n');
  const conditions = { build: '2172986:1', argv: [] as string[], columns: 120, rows: 40, configPath };
  return { state, configPath, conditions };
}

test('a saved frame is read back only under the conditions it was drawn for', (t) => {
  const { state, configPath, conditions } = setUp(t);
  const key = frameKey(state, conditions);
  writeFirstFrame(state, key, 'btui  all 0\nline two');
  assert.equal(readFirstFrame(state, key), 'btui  all 0\nline two');

  const other = (change: Partial<typeof conditions>) => readFirstFrame(state, frameKey(state, { ...conditions, ...change }));
  assert.equal(other({ columns: 80 }), undefined, 'another width');
  assert.equal(other({ rows: 24 }), undefined, 'another height');
  assert.equal(other({ argv: ['--demo'] }), undefined, 'another command line');
  assert.equal(other({ build: '2172986:2' }), undefined, 'another build');

  const saved = process.env.NO_COLOR;
  process.env.NO_COLOR = '1';
  try {
    assert.equal(readFirstFrame(state, frameKey(state, conditions)), undefined, 'NO_COLOR set');
  } finally {
    if (saved === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = saved;
  }

  // Any save of the session or the settings, even to the same bytes, makes the frame stale.
  utimesSync(join(state, 'session.json'), new Date(), new Date(Date.now() + 5000));
  assert.equal(readFirstFrame(state, frameKey(state, conditions)), undefined, 'session.json written again');
  writeFirstFrame(state, frameKey(state, conditions), 'again');
  assert.equal(readFirstFrame(state, frameKey(state, conditions)), 'again');
  writeFileSync(configPath, '{"port":6882}\n');
  assert.equal(readFirstFrame(state, frameKey(state, conditions)), undefined, 'config.json changed');
  writeFirstFrame(state, frameKey(state, conditions), 'and again');
  writeFileSync(join(state, 'session.journal'), '{}\n');
  assert.equal(readFirstFrame(state, frameKey(state, conditions)), undefined, 'a change journaled since');
});

test('a damaged or foreign first-frame file is not shown, and forgetting it is harmless when there is none', (t) => {
  const { state, conditions } = setUp(t);
  const key = frameKey(state, conditions);
  for (const text of [
    '',
    'garbage',
    `btui first frame 1\n${key}`,
    `btui first frame 0\n${key}\nframe`,
    `btui first frame 1\n${key}x\nframe`,
  ]) {
    writeFileSync(firstFramePath(state), text);
    assert.equal(readFirstFrame(state, key), undefined, JSON.stringify(text.slice(0, 30)));
  }
  forgetFirstFrame(state);
  forgetFirstFrame(state);
  assert.equal(readFirstFrame(state, key), undefined);
});
