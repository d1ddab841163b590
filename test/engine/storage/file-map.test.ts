import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fileAt, filePieces, mapPiece, mapRange, pieceSize } from '../../../source/engine/storage/file-map.js';

function files(...lengths: number[]) {
  let offset = 0;
  return lengths.map((length) => {
    const f = { path: [`f${offset}`], length, offset, padding: false };
    offset += length;
    return f;
  });
}

test('a range inside one file maps to one slice', () => {
  assert.deepEqual(mapRange(files(10, 10), 12, 5), [{ fileIndex: 1, fileOffset: 2, length: 5, rangeOffset: 0 }]);
});

test('a range straddling several files, with zero-length files between, skips the empty ones', () => {
  const fs = files(5, 0, 3, 0, 0, 4, 10);
  assert.deepEqual(mapRange(fs, 3, 12), [
    { fileIndex: 0, fileOffset: 3, length: 2, rangeOffset: 0 },
    { fileIndex: 2, fileOffset: 0, length: 3, rangeOffset: 2 },
    { fileIndex: 5, fileOffset: 0, length: 4, rangeOffset: 5 },
    { fileIndex: 6, fileOffset: 0, length: 3, rangeOffset: 9 },
  ]);
});

test('fileAt finds the file holding a byte even after leading and trailing empty files', () => {
  const fs = files(0, 0, 4, 0, 6, 0);
  assert.equal(fileAt(fs, 0), 2);
  assert.equal(fileAt(fs, 3), 2);
  assert.equal(fileAt(fs, 4), 4);
  assert.equal(fileAt(fs, 9), 4);
  assert.equal(fileAt(fs, 10), -1);
});

test('ranges past the end throw', () => {
  assert.throws(() => mapRange(files(4, 4), 6, 3), RangeError);
  assert.throws(() => mapRange(files(4, 4), 8, 1), RangeError);
  assert.throws(() => mapRange(files(4), -1, 1), RangeError);
  assert.deepEqual(mapRange(files(4), 4, 0), []);
});

test('padding files are mapped like any file (storage decides to skip them)', () => {
  const fs = files(3, 5, 8);
  fs[1]!.padding = true;
  const slices = mapPiece({ files: fs, length: 16, pieceLength: 8, pieceCount: 2 }, 0);
  assert.deepEqual(
    slices.map((s) => [s.fileIndex, s.length]),
    [
      [0, 3],
      [1, 5],
    ],
  );
});

test('the last piece is shorter', () => {
  const meta = { files: files(7, 10), length: 17, pieceLength: 8, pieceCount: 3 };
  assert.equal(pieceSize(meta, 0), 8);
  assert.equal(pieceSize(meta, 2), 1);
  assert.deepEqual(mapPiece(meta, 2), [{ fileIndex: 1, fileOffset: 9, length: 1, rangeOffset: 0 }]);
  assert.throws(() => pieceSize(meta, 3), RangeError);
  assert.throws(() => pieceSize(meta, -1), RangeError);
});

test('filePieces gives the pieces a file touches', () => {
  const fs = files(7, 0, 10);
  assert.deepEqual(filePieces(fs[0]!, 8), { first: 0, last: 0 });
  assert.equal(filePieces(fs[1]!, 8), undefined);
  assert.deepEqual(filePieces(fs[2]!, 8), { first: 0, last: 2 });
});

test('property: slices tile the range exactly, in order, within file bounds', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 12 }).filter((ls) => ls.some((l) => l > 0)),
      fc.nat(),
      fc.nat(),
      (lengths, a, b) => {
        const fs = files(...lengths);
        const total = lengths.reduce((x, y) => x + y, 0);
        const offset = a % total;
        const length = b % (total - offset + 1);
        const slices = mapRange(fs, offset, length);
        let pos = 0;
        for (const s of slices) {
          const f = fs[s.fileIndex]!;
          assert.equal(s.rangeOffset, pos);
          assert.ok(s.length > 0);
          assert.ok(s.fileOffset >= 0 && s.fileOffset + s.length <= f.length);
          assert.equal(f.offset + s.fileOffset, offset + pos);
          pos += s.length;
        }
        assert.equal(pos, length);
      },
    ),
  );
});

test('a layout with a gap between files is rejected rather than mis-mapped', () => {
  const fs = [
    { path: ['a'], length: 4, offset: 0, padding: false },
    { path: ['b'], length: 4, offset: 6, padding: false },
  ];
  assert.throws(() => mapRange(fs, 2, 4), /gap/);
});
