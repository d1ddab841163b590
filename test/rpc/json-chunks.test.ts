import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchBytes, JsonChunks, jsonArray, jsonArrayOfTexts, serializeResponse } from '../../source/rpc/json-chunks.js';

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

test('jsonArrayOfTexts with kept batches: the same JSON, unchanged batches written from the same bytes, changed ones anew', () => {
  const kept = new BatchBytes();
  const texts = Array.from({ length: 150 }, (_, i) => JSON.stringify({ id: i }));
  const join = (c: JsonChunks) => c.chunks.map((x) => x.toString()).join('');
  const first = jsonArrayOfTexts(texts, (x) => x, 64, kept);
  assert.deepEqual(JSON.parse(join(first)), JSON.parse(`[${texts.join(',')}]`));
  texts[70] = JSON.stringify({ id: 70, changed: true });
  const second = jsonArrayOfTexts(texts, (x) => x, 64, kept);
  assert.deepEqual(JSON.parse(join(second)), JSON.parse(`[${texts.join(',')}]`));
  assert.equal(second.chunks[1], first.chunks[1], 'first batch unchanged: the same bytes');
  assert.notEqual(second.chunks[2], first.chunks[2], 'the batch holding the change is new');
  assert.equal(second.chunks[3], first.chunks[3]);
  const fewer = jsonArrayOfTexts(texts.slice(0, 10), (x) => x, 64, kept);
  assert.equal(JSON.parse(join(fewer)).length, 10);
});
