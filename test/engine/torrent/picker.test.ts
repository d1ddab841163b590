import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Bitfield } from '../../../source/engine/codec/bitfield.js';
import { PiecePicker, type BlockRequest } from '../../../source/engine/torrent/picker.js';
import { rng } from '../../helpers/seeded-random.js';

const BLOCK = 16384;

function bits(length: number, indices: Iterable<number>): Bitfield {
  const b = new Bitfield(length);
  for (const i of indices) b.set(i);
  return b;
}

function full(length: number): Bitfield {
  const b = new Bitfield(length);
  b.setAll();
  return b;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** n one-block pieces. */
function smallPicker(n: number, options: { blocksPerPiece?: number; seed?: number; have?: number[] } = {}): PiecePicker {
  const pieceLength = BLOCK * (options.blocksPerPiece ?? 1);
  return new PiecePicker(
    { pieceCount: n, pieceLength, totalLength: n * pieceLength, random: rng(options.seed ?? 1) },
    options.have ? bits(n, options.have) : undefined,
  );
}

function key(r: BlockRequest): string {
  return `${r.index}:${r.begin}`;
}

test('geometry: the last piece and its last block are shorter', () => {
  const pieceLength = 4 * BLOCK;
  const totalLength = 2 * pieceLength + BLOCK + 1001;
  const picker = new PiecePicker({ pieceCount: 3, pieceLength, totalLength });
  assert.equal(picker.pieceSize(0), pieceLength);
  assert.equal(picker.pieceSize(2), BLOCK + 1001);
  assert.equal(picker.blockLength(0, 3 * BLOCK), BLOCK);
  assert.equal(picker.blockLength(2, 0), BLOCK);
  assert.equal(picker.blockLength(2, BLOCK), 1001);
  assert.equal(picker.blocksIn(2), 2);
  const requests = picker.pick('a', bits(3, [2]), 10);
  assert.deepEqual(
    requests.sort((x, y) => x.begin - y.begin),
    [
      { index: 2, begin: 0, length: BLOCK },
      { index: 2, begin: BLOCK, length: 1001 },
    ],
  );
  assert.throws(() => new PiecePicker({ pieceCount: 4, pieceLength, totalLength }), RangeError);
});

test('rarest first: pieces come out in order of availability', () => {
  // Pieces 0-3 are had, so random-first is over; pieces 4..11 get availability 8-i%8 ... crafted below.
  const n = 12;
  const picker = smallPicker(n, { have: [0, 1, 2, 3] });
  const availability = new Map<number, number>([
    [4, 5],
    [5, 1],
    [6, 3],
    [7, 2],
    [8, 6],
    [9, 4],
    [10, 7],
    [11, 8],
  ]);
  for (let peer = 0; peer < 8; peer++) {
    picker.addPeer(
      `p${peer}`,
      bits(
        n,
        [...availability].filter(([, a]) => a > peer).map(([i]) => i),
      ),
    );
  }
  picker.addPeer('seed', full(n));
  for (const [i, a] of availability) assert.equal(picker.availability(i), a + 1);
  const order: number[] = [];
  for (;;) {
    const [r] = picker.pick('seed', full(n), 1);
    if (!r) break;
    order.push(r.index);
  }
  assert.deepEqual(order, [5, 7, 6, 9, 4, 8, 10, 11]);
});

test('rarest first uses availability changes from have messages and departures', () => {
  const n = 8;
  const picker = smallPicker(n, { have: [0, 1, 2, 3] });
  picker.addPeer('x', bits(n, [4, 5, 6]));
  picker.addPeer('y', bits(n, [4, 5, 6]));
  picker.peerHave('z', 6);
  picker.peerHave('z', 6);
  assert.equal(picker.availability(6), 3);
  assert.equal(picker.availability(7), 0);
  picker.removePeer('x');
  picker.removePeer('y');
  picker.peerHave('w', 7);
  // now 4 and 5 have 0, 6 has 1, 7 has 1: a peer that has 6 and 7 sees a tie; one with 5, 6 takes... 6
  assert.equal(picker.availability(4), 0);
  assert.equal(picker.pick('q', bits(n, [5, 6]), 1)[0]?.index, 5);
  picker.addPeer('r', full(n));
  assert.equal(picker.availability(4), 1);
  assert.equal(picker.pick('r', full(n), 1)[0]?.index, 4);
});

test('ties between equally rare pieces are broken at random', () => {
  const firsts = new Set<number>();
  for (let seed = 1; seed <= 20; seed++) {
    const picker = smallPicker(40, { seed, have: [0, 1, 2, 3] });
    picker.addPeer('a', full(40));
    firsts.add(picker.pick('a', full(40), 1)[0]!.index);
  }
  assert.ok(firsts.size >= 8, `only ${firsts.size} distinct first picks`);
});

test('random first: before 4 pieces are had the rarest piece is not always chosen', () => {
  const n = 50;
  let rarestChosen = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const picker = smallPicker(n, { seed });
    picker.addPeer('common', bits(n, range(1, n)));
    picker.addPeer('seed', full(n));
    if (picker.pick('seed', full(n), 1)[0]!.index === 0) rarestChosen++;
  }
  assert.ok(rarestChosen < 10, `rarest chosen ${rarestChosen}/40 times`);
  // Once four pieces are had, the rarest piece is always first.
  for (let seed = 1; seed <= 10; seed++) {
    const picker = smallPicker(n, { seed, have: [10, 20, 30, 40] });
    picker.addPeer('common', bits(n, range(1, n)));
    picker.addPeer('seed', full(n));
    assert.equal(picker.pick('seed', full(n), 1)[0]!.index, 0);
  }
});

test('partial-piece affinity: a peer finishes started pieces before starting rarer ones', () => {
  const n = 10;
  const picker = smallPicker(n, { blocksPerPiece: 4, have: [0, 1, 2, 3] });
  picker.addPeer('a', bits(n, [4, 5, 6]));
  picker.addPeer('b', bits(n, [4, 5, 6, 7, 8, 9]));
  picker.addPeer('c', bits(n, [5, 9]));
  // rarest for a: piece 4 (avail 2) or 6 (avail 2); it takes two blocks of one of them.
  const first = picker.pick('a', bits(n, [4, 5, 6]), 2);
  assert.equal(first.length, 2);
  const started = first[0]!.index;
  assert.ok(started === 4 || started === 6, `started ${started}`);
  assert.equal(first[1]!.index, started);
  // b has rarer pieces (7, 8 avail 1) yet finishes the started piece first, then moves on.
  const second = picker.pick('b', bits(n, [4, 5, 6, 7, 8, 9]), 3);
  assert.deepEqual(
    second.map((r) => r.index),
    [started, started, second[2]!.index],
  );
  assert.ok([7, 8].includes(second[2]!.index), `then rarest: ${second[2]!.index}`);
  // c lacks the started piece: it does not get it.
  const third = picker.pick('c', bits(n, [5, 9]), 8);
  assert.ok(
    third.every((r) => r.index === 5 || r.index === 9),
    'c got a piece it lacks',
  );
});

test('priorities: higher priority first, priority 0 never picked', () => {
  const n = 16;
  const picker = smallPicker(n, { have: [0, 1, 2, 3] });
  picker.addPeer('common', bits(n, range(6, n)));
  const pr = new Uint8Array(n).fill(1);
  pr[10] = 7;
  pr[11] = 3;
  for (const i of [4, 12, 13]) pr[i] = 0;
  picker.setPiecePriorities(pr);
  picker.addPeer('s', full(n));
  const order: number[] = [];
  for (;;) {
    const rs = picker.pick('s', full(n), 1);
    if (rs.length === 0) break;
    order.push(rs[0]!.index);
    assert.equal(picker.blockReceived('s', rs[0]!.index, rs[0]!.begin).pieceComplete, true);
    picker.pieceVerified(rs[0]!.index);
  }
  assert.equal(order[0], 10);
  assert.equal(order[1], 11);
  assert.equal(order[2], 5, 'then the rarest normal piece');
  assert.deepEqual(
    [...order].sort((a, b) => a - b),
    [5, 6, 7, 8, 9, 10, 11, 14, 15],
  );
  assert.equal(picker.wantedComplete(), true);
  assert.equal(picker.missingCount(), 3);
  assert.equal(picker.isInteresting(full(n)), false);
  // raising a skipped piece makes it wanted again
  pr[12] = 1;
  picker.setPiecePriorities(pr);
  assert.equal(picker.wantedComplete(), false);
  assert.deepEqual(
    picker.pick('s', full(n), 5).map((r) => r.index),
    [12],
  );
});

test('sequential mode: lowest index first regardless of rarity', () => {
  const n = 10;
  const picker = smallPicker(n, { blocksPerPiece: 2, have: [1] });
  picker.addPeer('rare', bits(n, [9]));
  picker.addPeer('s', full(n));
  picker.setSequential(true);
  const rs = picker.pick('s', full(n), 5);
  assert.deepEqual(
    rs.map((r) => [r.index, r.begin]),
    [
      [0, 0],
      [0, BLOCK],
      [2, 0],
      [2, BLOCK],
      [3, 0],
    ],
  );
  assert.deepEqual(
    picker.pick('x', bits(n, [2, 3, 9]), 5).map((r) => [r.index, r.begin]),
    [
      [3, BLOCK],
      [9, 0],
      [9, BLOCK],
    ],
  );
});

test('endgame: duplicates only once every block is requested, at most two extra per block, cancels', () => {
  const n = 2;
  const picker = smallPicker(n, { blocksPerPiece: 2 });
  for (const p of ['a', 'b', 'c', 'd']) picker.addPeer(p, full(n));
  assert.equal(picker.pick('a', full(n), 3).length, 3);
  assert.equal(picker.inEndgame(), false);
  const b1 = picker.pick('b', full(n), 4);
  // one block was still free: b gets it, and then (now in endgame) duplicates of a's blocks
  assert.equal(picker.inEndgame(), true);
  assert.equal(b1.length, 4);
  assert.equal(new Set(b1.map(key)).size, 4);
  assert.equal(picker.pick('a', full(n), 4).length, 1, 'a only gets the one block it lacks');
  assert.equal(picker.pick('c', full(n), 10).length, 4);
  assert.equal(picker.pick('d', full(n), 10).length, 0, 'each block already has three requesters');
  const receipt = picker.blockReceived('c', 0, 0);
  assert.equal(receipt.accepted, true);
  assert.deepEqual(receipt.cancelFrom.sort(), ['a', 'b']);
  assert.equal(picker.requestedBy('a'), 3);
  assert.equal(picker.requestedBy('b'), 3);
  assert.equal(picker.requestedBy('c'), 3);
  assert.equal(picker.blockReceived('a', 0, 0).accepted, false, 'a late duplicate is not accepted');
  // d may now duplicate blocks that have only one or two requesters left after a release
  picker.releaseBlock('a', 1, 0);
  assert.deepEqual(picker.pick('d', full(n), 10).map(key), ['1:0']);
});

test('endgame: duplicates only for a peer with fewer than four requests outstanding, up to four', () => {
  const n = 2;
  const picker = smallPicker(n, { blocksPerPiece: 8 });
  for (const p of ['a', 'b', 'c']) picker.addPeer(p, full(n));
  assert.equal(picker.pick('a', full(n), 10).length, 10);
  assert.equal(picker.pick('b', full(n), 10).length, 6, 'the six free blocks, and no duplicates: b is busy with its own');
  assert.equal(picker.inEndgame(), true);
  const c = picker.pick('c', full(n), 100);
  assert.equal(c.length, 4, 'an idle peer: four duplicates');
  assert.equal(picker.pick('c', full(n), 100).length, 0, 'no more while those four are outstanding');
  assert.equal(picker.blockReceived('c', c[0]!.index, c[0]!.begin).accepted, true);
  assert.equal(picker.pick('c', full(n), 100).length, 1, 'one arrived: one more');
  assert.equal(picker.requestedBy('c'), 4);
});

test('no duplicates while some block is still free, even for peers that lack it', () => {
  const n = 3;
  const picker = smallPicker(n);
  picker.addPeer('a', bits(n, [0, 1]));
  picker.addPeer('b', bits(n, [0, 1]));
  assert.equal(picker.pick('a', bits(n, [0, 1]), 5).length, 2);
  assert.equal(picker.inEndgame(), false);
  assert.equal(picker.pick('b', bits(n, [0, 1]), 5).length, 0);
});

test('removePeer releases its requests and its availability', () => {
  const n = 6;
  const picker = smallPicker(n, { blocksPerPiece: 2 });
  picker.addPeer('a', full(n));
  picker.addPeer('b', bits(n, [0, 1, 2]));
  const got = picker.pick('a', full(n), 12);
  assert.equal(got.length, 12);
  assert.equal(picker.requestedBy('a'), 12);
  assert.equal(picker.availability(0), 2);
  picker.removePeer('a');
  assert.equal(picker.requestedBy('a'), 0);
  assert.equal(picker.availability(0), 1);
  assert.equal(picker.availability(5), 0);
  assert.equal(picker.inEndgame(), false);
  const again = picker.pick('b', bits(n, [0, 1, 2]), 12);
  assert.deepEqual(
    again.map(key).sort(),
    got
      .filter((r) => r.index < 3)
      .map(key)
      .sort(),
  );
});

test('a piece whose requests are all released is fresh again, not a partial piece', () => {
  const n = 10;
  const picker = smallPicker(n, { blocksPerPiece: 2, have: [0, 1, 2, 3] });
  picker.addPeer('common', bits(n, range(5, n)));
  const [r] = picker.pick('x', bits(n, [6]), 1);
  assert.equal(r!.index, 6);
  picker.releaseBlock('x', 6, r!.begin);
  // 4 is the rarest; 6 must not win through partial-piece affinity
  assert.deepEqual(
    picker.pick('y', bits(n, [4, 6]), 2).map((q) => q.index),
    [4, 4],
  );
});

test('releasePeerRequests and releaseBlock make blocks pickable again', () => {
  const n = 4;
  const picker = smallPicker(n, { blocksPerPiece: 4 });
  picker.addPeer('a', full(n));
  const got = picker.pick('a', full(n), 6);
  picker.releaseBlock('a', got[0]!.index, got[0]!.begin);
  picker.releaseBlock('a', got[0]!.index, got[0]!.begin);
  picker.releaseBlock('nobody', got[1]!.index, got[1]!.begin);
  assert.equal(picker.requestedBy('a'), 5);
  const released = picker.releasePeerRequests('a');
  assert.deepEqual(released.map(key).sort(), got.slice(1).map(key).sort());
  assert.equal(picker.requestedBy('a'), 0);
  assert.deepEqual(picker.releasePeerRequests('a'), []);
  const again = picker.pick('b', full(n), 16);
  assert.equal(again.length, 16);
});

test('pieceFailed forgets received blocks and makes the piece pickable again', () => {
  const n = 5;
  const picker = smallPicker(n, { blocksPerPiece: 3, have: [0, 1, 2, 3] });
  picker.addPeer('a', full(n));
  const got = picker.pick('a', full(n), 10);
  assert.equal(got.length, 3);
  const receipts = got.map((r) => picker.blockReceived('a', r.index, r.begin));
  assert.deepEqual(
    receipts.map((r) => r.pieceComplete),
    [false, false, true],
  );
  assert.equal(picker.pick('a', full(n), 10).length, 0);
  assert.equal(picker.inEndgame(), true, 'nothing left to request but the piece is not verified');
  picker.pieceFailed(4);
  assert.equal(picker.inEndgame(), false);
  const again = picker.pick('b', full(n), 10);
  assert.deepEqual(again.map(key).sort(), got.map(key).sort());
  const second = again.map((r) => picker.blockReceived('b', r.index, r.begin).pieceComplete);
  assert.deepEqual(second, [false, false, true]);
  picker.pieceVerified(4);
  assert.equal(picker.wantedComplete(), true);
  assert.equal(picker.have.get(4), true);
  assert.equal(picker.missingCount(), 0);
  assert.equal(picker.inEndgame(), false);
});

test('unsolicited, repeated and malformed blocks are not accepted', () => {
  const n = 2;
  const picker = smallPicker(n, { blocksPerPiece: 2 });
  const rejected = { pieceComplete: false, cancelFrom: [], accepted: false };
  assert.deepEqual(picker.blockReceived('a', 0, 0), rejected);
  const [r] = picker.pick('a', full(n), 1);
  assert.deepEqual(picker.blockReceived('b', r!.index, r!.begin), rejected);
  assert.deepEqual(picker.blockReceived('a', r!.index, r!.begin + 1), rejected);
  assert.deepEqual(picker.blockReceived('a', r!.index, 5 * BLOCK), rejected);
  assert.deepEqual(picker.blockReceived('a', 7, 0), rejected);
  assert.equal(picker.blockReceived('a', r!.index, r!.begin).accepted, true);
  assert.deepEqual(picker.blockReceived('a', r!.index, r!.begin), rejected);
  const other = r!.begin === 0 ? BLOCK : 0;
  assert.deepEqual(picker.blockReceived('a', r!.index, other), rejected);
  assert.equal(picker.requestedBy('a'), 0);
});

test('choked: only allowed-fast pieces are picked', () => {
  const n = 8;
  const picker = smallPicker(n, { blocksPerPiece: 2, have: [0, 1, 2, 3] });
  picker.addPeer('a', bits(n, [4, 5, 6]));
  assert.deepEqual(picker.pick('a', bits(n, [4, 5, 6]), 10, { choked: true }), []);
  assert.deepEqual(picker.pick('a', bits(n, [4, 5, 6]), 10, { choked: true, allowedFast: new Set() }), []);
  const got = picker.pick('a', bits(n, [4, 5, 6]), 10, { choked: true, allowedFast: new Set([0, 5, 7, 99]) });
  assert.deepEqual(got.map(key), ['5:0', `5:${BLOCK}`]);
  const unchoked = picker.pick('a', bits(n, [4, 5, 6]), 10, { allowedFast: new Set([5]) });
  assert.deepEqual(unchoked.map((r) => r.index).sort(), [4, 4, 6, 6]);
});

test('isInteresting', () => {
  const n = 20;
  const picker = smallPicker(n, { have: [0, 1, 2, 3, 19] });
  assert.equal(picker.isInteresting(full(n)), true);
  assert.equal(picker.isInteresting(bits(n, [0, 1, 19])), false);
  assert.equal(picker.isInteresting(bits(n, [0, 17])), true);
  const pr = new Uint8Array(n).fill(1);
  pr[17] = 0;
  picker.setPiecePriorities(pr);
  assert.equal(picker.isInteresting(bits(n, [0, 17])), false);
  assert.equal(picker.isInteresting(new Bitfield(n)), false);
});

test('a piece verified from elsewhere is no longer picked', () => {
  const picker = smallPicker(3, { blocksPerPiece: 2 });
  picker.pick('a', full(3), 1);
  picker.pieceVerified(0);
  picker.pieceVerified(1);
  assert.equal(picker.requestedBy('a'), 0);
  assert.deepEqual(
    picker.pick('a', full(3), 10).map((r) => r.index),
    [2, 2],
  );
});

interface SimOptions {
  pieceCount: number;
  pieceLength: number;
  totalLength: number;
  peers: number;
  seeds: number;
  pipeline: number;
  seed: number;
}

/** Every block requested exactly once before endgame, each at most 3 times in all. */
function simulate(o: SimOptions): { rounds: number; duplicates: number } {
  const random = rng(o.seed);
  const picker = new PiecePicker({ pieceCount: o.pieceCount, pieceLength: o.pieceLength, totalLength: o.totalLength, random });
  const perPiece = Math.ceil(o.pieceLength / BLOCK);
  const requested = new Uint8Array(o.pieceCount * perPiece);
  const peers = Array.from({ length: o.peers }, (_, p) => {
    const bf = new Bitfield(o.pieceCount);
    if (p < o.seeds) bf.setAll();
    else for (let i = 0; i < o.pieceCount; i++) if (random() < 0.5) bf.set(i);
    return { id: `peer${p}`, bf, queue: [] as BlockRequest[] };
  });
  for (const p of peers) picker.addPeer(p.id, p.bf);
  let duplicates = 0;
  let rounds = 0;
  while (!picker.wantedComplete()) {
    rounds++;
    assert.ok(rounds < 100_000, 'simulation does not finish');
    for (const p of peers) {
      const want = o.pipeline - p.queue.length;
      const got = picker.pick(p.id, p.bf, want);
      assert.ok(got.length <= want, 'more than asked for');
      for (const r of got) {
        const k = r.index * perPiece + r.begin / BLOCK;
        assert.ok(!picker.have.get(r.index), 'a piece we have');
        if (requested[k]! > 0) {
          assert.ok(picker.inEndgame(), `block ${r.index}:${r.begin} requested twice outside endgame`);
          duplicates++;
        }
        requested[k]!++;
        assert.ok(requested[k]! <= 3, 'more than two duplicates');
        p.queue.push(r);
      }
      // deliver a random share of the queue (at least one block)
      const deliver = Math.max(1, Math.floor(p.queue.length * random()));
      for (const r of p.queue.splice(0, deliver)) {
        const receipt = picker.blockReceived(p.id, r.index, r.begin);
        if (!receipt.accepted) continue;
        for (const other of receipt.cancelFrom) {
          const q = peers.find((x) => x.id === other)!.queue;
          const at = q.findIndex((x) => x.index === r.index && x.begin === r.begin);
          if (at >= 0) q.splice(at, 1);
        }
        if (receipt.pieceComplete) picker.pieceVerified(r.index);
      }
    }
  }
  for (let k = 0; k < requested.length; k++) {
    const index = Math.floor(k / perPiece);
    if (index * o.pieceLength + (k % perPiece) * BLOCK < o.totalLength) assert.ok(requested[k]! >= 1, `block ${k} never requested`);
  }
  return { rounds, duplicates };
}

test('simulated download: 65,536 pieces of 16 KiB from 8 peers, each block requested once outside endgame', () => {
  const started = performance.now();
  const pieceCount = 65536;
  const { duplicates } = simulate({
    pieceCount,
    pieceLength: BLOCK,
    totalLength: pieceCount * BLOCK,
    peers: 8,
    seeds: 2,
    pipeline: 64,
    seed: 42,
  });
  const ms = performance.now() - started;
  assert.ok(duplicates < 8 * 64 * 2, `${duplicates} endgame duplicates`);
  assert.ok(ms < 20_000, `took ${ms.toFixed(0)} ms`);
});

test('simulated download: 1 GiB in 1 MiB pieces with an odd tail', () => {
  const pieceLength = 1 << 20;
  const totalLength = 1023 * pieceLength + 12345;
  simulate({ pieceCount: 1024, pieceLength, totalLength, peers: 8, seeds: 3, pipeline: 128, seed: 7 });
});

// ---- property test: random operation sequences against a model of outstanding requests

type Op =
  | { t: 'add'; peer: number; bits: number[] }
  | { t: 'have'; peer: number; index: number }
  | { t: 'remove'; peer: number }
  | { t: 'pick'; peer: number; count: number; choked: boolean; fast: number[] }
  | { t: 'receive'; peer: number; nth: number; fail: boolean }
  | { t: 'stray'; peer: number; index: number; block: number }
  | { t: 'release'; peer: number; nth: number }
  | { t: 'releaseAll'; peer: number }
  | { t: 'priorities'; values: number[] }
  | { t: 'sequential'; on: boolean };

const PEERS = 4;

function opArb(pieceCount: number): fc.Arbitrary<Op> {
  const peer = fc.integer({ min: 0, max: PEERS - 1 });
  const index = fc.integer({ min: 0, max: pieceCount - 1 });
  return fc.oneof(
    fc.record({ t: fc.constant('add' as const), peer, bits: fc.array(index, { maxLength: pieceCount }) }),
    fc.record({ t: fc.constant('have' as const), peer, index }),
    fc.record({ t: fc.constant('remove' as const), peer }),
    {
      arbitrary: fc.record({
        t: fc.constant('pick' as const),
        peer,
        count: fc.integer({ min: 0, max: 12 }),
        choked: fc.boolean(),
        fast: fc.array(index, { maxLength: 3 }),
      }),
      weight: 4,
    },
    { arbitrary: fc.record({ t: fc.constant('receive' as const), peer, nth: fc.nat(), fail: fc.boolean() }), weight: 4 },
    fc.record({ t: fc.constant('stray' as const), peer, index, block: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ t: fc.constant('release' as const), peer, nth: fc.nat() }),
    fc.record({ t: fc.constant('releaseAll' as const), peer }),
    fc.record({
      t: fc.constant('priorities' as const),
      values: fc.array(fc.integer({ min: 0, max: 7 }), { minLength: pieceCount, maxLength: pieceCount }),
    }),
    fc.record({ t: fc.constant('sequential' as const), on: fc.boolean() }),
  );
}

const scenario = fc
  .record({
    pieceCount: fc.integer({ min: 1, max: 10 }),
    blocksPerPiece: fc.integer({ min: 1, max: 3 }),
    tail: fc.integer({ min: 1, max: 3 * BLOCK }),
    seed: fc.nat(),
  })
  .chain((g) => fc.record({ g: fc.constant(g), ops: fc.array(opArb(g.pieceCount), { maxLength: 60 }) }));

test('property: picks respect have, outstanding requests, count and priority; a run always finishes', () => {
  fc.assert(
    fc.property(scenario, ({ g, ops }) => {
      const pieceLength = g.blocksPerPiece * BLOCK;
      const totalLength = (g.pieceCount - 1) * pieceLength + Math.min(g.tail, pieceLength);
      const picker = new PiecePicker({ pieceCount: g.pieceCount, pieceLength, totalLength, random: rng(g.seed) });
      const n = g.pieceCount;
      const peerBits = Array.from({ length: PEERS }, () => new Bitfield(n));
      const outstanding = new Map<string, Set<number>>(); // block key -> peers
      const received = new Set<string>();
      let priorities = new Uint8Array(n).fill(1);
      const mine = (peer: number): string[] =>
        [...outstanding]
          .filter(([, s]) => s.has(peer))
          .map(([k]) => k)
          .sort();
      const dropPeer = (peer: number) => {
        for (const [k, s] of outstanding) if (s.delete(peer) && s.size === 0) outstanding.delete(k);
      };
      const check = () => {
        for (let p = 0; p < PEERS; p++) assert.equal(picker.requestedBy(`p${p}`), mine(p).length);
      };

      for (const op of ops) {
        switch (op.t) {
          case 'add':
            peerBits[op.peer] = bits(n, op.bits);
            picker.addPeer(`p${op.peer}`, peerBits[op.peer]!);
            break;
          case 'have':
            peerBits[op.peer]!.set(op.index);
            picker.peerHave(`p${op.peer}`, op.index);
            break;
          case 'remove':
            picker.removePeer(`p${op.peer}`);
            dropPeer(op.peer);
            peerBits[op.peer] = new Bitfield(n);
            break;
          case 'pick': {
            const endgameBefore = picker.inEndgame();
            const fast = new Set(op.fast);
            const got = picker.pick(`p${op.peer}`, peerBits[op.peer]!, op.count, { choked: op.choked, allowedFast: fast });
            assert.ok(got.length <= op.count, 'more than asked for');
            assert.equal(new Set(got.map(key)).size, got.length);
            for (const r of got) {
              const k = key(r);
              assert.ok(!picker.have.get(r.index), 'a piece we have');
              assert.ok(priorities[r.index]! > 0, 'a skipped piece');
              assert.ok(peerBits[op.peer]!.get(r.index), 'a piece the peer lacks');
              assert.ok(!op.choked || fast.has(r.index), 'not allowed fast while choked');
              assert.ok(!received.has(k), 'a block already received');
              assert.equal(r.length, picker.blockLength(r.index, r.begin));
              assert.ok(r.length > 0, 'empty block');
              const s = outstanding.get(k) ?? new Set<number>();
              assert.ok(!s.has(op.peer), 'already outstanding from this peer');
              if (s.size > 0) assert.ok(endgameBefore || picker.inEndgame(), 'a duplicate outside endgame');
              assert.ok(s.size < 3, 'more than two duplicates');
              s.add(op.peer);
              outstanding.set(k, s);
            }
            break;
          }
          case 'receive': {
            const list = mine(op.peer);
            if (list.length === 0) break;
            const k = list[op.nth % list.length]!;
            const [index, begin] = k.split(':').map(Number) as [number, number];
            const receipt = picker.blockReceived(`p${op.peer}`, index, begin);
            assert.equal(receipt.accepted, true);
            assert.deepEqual(
              receipt.cancelFrom.sort(),
              [...outstanding.get(k)!]
                .filter((p) => p !== op.peer)
                .map((p) => `p${p}`)
                .sort(),
            );
            outstanding.delete(k);
            received.add(k);
            const complete = range(0, picker.blocksIn(index)).every((b) => received.has(`${index}:${b * BLOCK}`));
            assert.equal(receipt.pieceComplete, complete);
            if (complete) {
              for (let b = 0; b < picker.blocksIn(index); b++) received.delete(`${index}:${b * BLOCK}`);
              if (op.fail) {
                picker.pieceFailed(index);
              } else {
                picker.pieceVerified(index);
                for (const kk of [...outstanding.keys()]) if (kk.startsWith(`${index}:`)) outstanding.delete(kk);
              }
            }
            break;
          }
          case 'stray': {
            const k = `${op.index}:${op.block * BLOCK}`;
            if (outstanding.get(k)?.has(op.peer)) break;
            assert.equal(picker.blockReceived(`p${op.peer}`, op.index, op.block * BLOCK).accepted, false);
            break;
          }
          case 'release': {
            const list = mine(op.peer);
            if (list.length === 0) break;
            const k = list[op.nth % list.length]!;
            const [index, begin] = k.split(':').map(Number) as [number, number];
            picker.releaseBlock(`p${op.peer}`, index, begin);
            const s = outstanding.get(k)!;
            s.delete(op.peer);
            if (s.size === 0) outstanding.delete(k);
            break;
          }
          case 'releaseAll': {
            const released = picker.releasePeerRequests(`p${op.peer}`).map(key).sort();
            assert.deepEqual(released, mine(op.peer));
            dropPeer(op.peer);
            break;
          }
          case 'priorities':
            priorities = Uint8Array.from(op.values);
            picker.setPiecePriorities(priorities);
            break;
          case 'sequential':
            picker.setSequential(op.on);
            break;
        }
        check();
      }

      // Finish: a seed joins and serves everything; every wanted piece must arrive.
      const seed = full(n);
      picker.addPeer('seed', seed);
      for (let p = 0; p < PEERS; p++) picker.removePeer(`p${p}`);
      let rounds = 0;
      while (!picker.wantedComplete()) {
        assert.ok(++rounds < 1000, 'run does not finish');
        const got = picker.pick('seed', seed, 4);
        assert.ok(got.length > 0, 'stuck: nothing to request');
        for (const r of got) {
          const receipt = picker.blockReceived('seed', r.index, r.begin);
          assert.equal(receipt.accepted, true);
          if (receipt.pieceComplete) picker.pieceVerified(r.index);
        }
      }
      for (let i = 0; i < n; i++) assert.equal(picker.have.get(i) || priorities[i] === 0, true);
      assert.equal(picker.requestedBy('seed'), 0);
    }),
    { numRuns: 300 },
  );
});
