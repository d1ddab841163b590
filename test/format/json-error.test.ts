import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonSyntaxError } from '../../source/format/json-error.js';

test('jsonSyntaxError: line and column of the first error, undefined for valid JSON', () => {
  assert.equal(jsonSyntaxError('{"a": [1, 2.5e3, true, null, "x\\n"]}\n'), undefined);
  assert.deepEqual(jsonSyntaxError('{\n  "port": 6881,\n  "dht": tru\n}\n'), { line: 3, column: 13, problem: 'unexpected line break' });
  assert.deepEqual(jsonSyntaxError('{\n  "a": 1\n  "b": 2\n}'), { line: 3, column: 3, problem: "expected ',' or '}', found \"\\\"\"" });
  assert.deepEqual(jsonSyntaxError('garbage{'), { line: 1, column: 1, problem: 'unexpected "g"' });
  assert.deepEqual(jsonSyntaxError('{"a": 1,}'), { line: 1, column: 9, problem: 'expected a property name in double quotes, found "}"' });
  assert.deepEqual(jsonSyntaxError('{"a": 1'), { line: 1, column: 8, problem: "expected ',' or '}', found end of file" });
  assert.deepEqual(jsonSyntaxError(''), { line: 1, column: 1, problem: 'unexpected end of file' });
  for (const text of ['{}', '[]', '0', '"s"', '{"a":{"b":[{}]}}', '\ufeff{}']) assert.equal(jsonSyntaxError(text), undefined, text);
  for (const text of ['{', '[1,]', '01', '"\t"', '{"a" 1}', 'nul', '{} x']) assert.ok(jsonSyntaxError(text), text);
});
