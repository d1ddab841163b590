import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchBytes, JsonChunks, jsonArray, jsonArrayOfTexts, serializeResponse, type Reuse } from '../../source/rpc/json-chunks.js';

test('jsonArray in batches writes the same JSON as one JSON.stringify', () => {
  const items = Array.from({ length: 300 }, (_, i) => ({ id: i, name: `n"${i}\u2028ü` }));
  for (const batch of [1, 7, 64, 300, 1000]) {
    const chunks = jsonArray(items, (x, i) => ({ ...x, index: i }), [], batch).chunks;
    assert.equal(chunks.join(''), JSON.stringify(items.map((x, i) => ({ ...x, index: i }))), `batch ${batch}`);
    const table = jsonArray(items, (x) => [x.id, x.name], [JSON.stringify(['id', 'name'])], batch).chunks;
    assert.equal(table.join(''), JSON.stringify([['id', 'name'], ...items.map((x) => [x.id, x.name])]), `table, batch ${batch}`);
  }
  assert.equal(jsonArray([], (x) => x).chunks.join(''), '[]');
  assert.equal(jsonArray([], (x) => x, ['["id"]']).chunks.join(''), '[["id"]]');
});

test('serializeResponse splices pieces under arguments and keeps result and tag', () => {
  const torrents = jsonArray([{ id: 1 }, { id: 2 }], (x) => x, [], 1);
  const text = serializeResponse({ result: 'success', arguments: { torrents, removed: [3] }, tag: 9 }).join('');
  assert.deepEqual(JSON.parse(text), { arguments: { torrents: [{ id: 1 }, { id: 2 }], removed: [3] }, result: 'success', tag: 9 });
  const plain = { result: 'no method name', arguments: {} };
  assert.deepEqual(serializeResponse(plain), [JSON.stringify(plain)]);
});

test('jsonArrayOfTexts with kept batches: the same JSON, unchanged batches written from the same bytes, unchanged items copied', () => {
  const kept = new BatchBytes();
  let items = Array.from({ length: 150 }, (_, i) => ({ id: i, name: `n"${i}\u2028ü` }));
  let made = 0;
  const text = (x: { id: number }) => (made++, JSON.stringify(x));
  let tagged = 'v1';
  const reuse: Reuse<{ id: number }> = { kept, tag: () => tagged, same: (_x, _i, tag) => tag === tagged };
  const join = (c: JsonChunks) => Buffer.concat(c.chunks.map((x) => (typeof x === 'string' ? Buffer.from(x) : x))).toString();
  const first = jsonArrayOfTexts(items, text, 64, reuse);
  assert.deepEqual(JSON.parse(join(first)), items);
  assert.equal(made, 150);
  items[70] = { id: 70, name: 'changed' };
  made = 0;
  const second = jsonArrayOfTexts(items, text, 64, reuse);
  assert.deepEqual(JSON.parse(join(second)), items);
  assert.equal(made, 1, 'only the changed item is serialised');
  assert.equal(second.chunks[1], first.chunks[1], 'first batch unchanged: the same bytes');
  assert.notEqual(second.chunks[2], first.chunks[2], 'the batch holding the change is new');
  assert.equal(second.chunks[3], first.chunks[3]);
  // One removed near the start: every batch after it shifts, and its items are copied, not serialised.
  items = items.filter((x) => x.id !== 3);
  made = 0;
  const shifted = jsonArrayOfTexts(items, text, 64, reuse);
  assert.deepEqual(JSON.parse(join(shifted)), items);
  assert.equal(made, 0);
  tagged = 'v2';
  const retagged = jsonArrayOfTexts(items, text, 64, reuse);
  assert.deepEqual(JSON.parse(join(retagged)), items);
  assert.equal(made, items.length, 'another tag: every item serialised again');
  const fewer = jsonArrayOfTexts(items.slice(0, 10), text, 64, reuse);
  assert.equal(JSON.parse(join(fewer)).length, 10);
  assert.deepEqual(JSON.parse(join(jsonArrayOfTexts(items, text, 64))), items, 'without reuse');
  assert.equal(join(jsonArrayOfTexts([], text, 64, reuse)), '[]');
});
