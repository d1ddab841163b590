import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseUnchoked, isSnubbed, pickOptimistic, type ChokerPeer } from '../../../source/engine/torrent/choker.js';
import { rng } from '../../helpers/seeded-random.js';

function peer(id: string, over: Partial<ChokerPeer> = {}): ChokerPeer {
  return { id, interested: true, downloadRate: 0, uploadRate: 0, snubbed: false, connectedAt: 0, ...over };
}

const sorted = (s: Set<string>) => [...s].sort();

test('leeching: the fastest uploaders to us get the regular slots, plus the optimistic peer', () => {
  const peers = [
    peer('a', { downloadRate: 100 }),
    peer('b', { downloadRate: 500 }),
    peer('c', { downloadRate: 300 }),
    peer('d', { downloadRate: 400 }),
    peer('e', { downloadRate: 50 }),
    peer('f', { downloadRate: 1000, interested: false }),
  ];
  assert.deepEqual(sorted(chooseUnchoked(peers, { uploadSlots: 4, seeding: false, optimistic: 'e' })), ['b', 'c', 'd', 'e']);
  // no optimistic peer given: its slot goes to the next best
  assert.deepEqual(sorted(chooseUnchoked(peers, { uploadSlots: 4, seeding: false })), ['a', 'b', 'c', 'd']);
  // an uninterested or unknown optimistic peer does not take a slot
  assert.deepEqual(sorted(chooseUnchoked(peers, { uploadSlots: 2, seeding: false, optimistic: 'f' })), ['b', 'd']);
  assert.deepEqual(sorted(chooseUnchoked(peers, { uploadSlots: 2, seeding: false, optimistic: 'zz' })), ['b', 'd']);
  // the optimistic peer is not counted twice when it also ranks high
  assert.deepEqual(sorted(chooseUnchoked(peers, { uploadSlots: 3, seeding: false, optimistic: 'b' })), ['b', 'c', 'd']);
});

test('slots are respected, including 0, 1 and Infinity', () => {
  const peers = Array.from({ length: 20 }, (_, i) => peer(`p${i}`, { downloadRate: i }));
  for (const slots of [0, 1, 2, 4, 7]) {
    assert.equal(chooseUnchoked(peers, { uploadSlots: slots, seeding: false }).size, slots);
    assert.equal(chooseUnchoked(peers, { uploadSlots: slots, seeding: false, optimistic: 'p0' }).size, slots);
    assert.equal(chooseUnchoked(peers, { uploadSlots: slots, seeding: true, optimistic: 'p0' }).size, slots);
  }
  assert.deepEqual(sorted(chooseUnchoked(peers, { uploadSlots: 1, seeding: false, optimistic: 'p3' })), ['p3']);
  assert.equal(chooseUnchoked(peers, { uploadSlots: Infinity, seeding: false }).size, 20);
});

test('leeching: snubbed peers and seeds get no regular slot', () => {
  const peers = [
    peer('fast-but-snubbed', { downloadRate: 9000, snubbed: true }),
    peer('seed', { downloadRate: 8000, isSeed: true }),
    peer('slow', { downloadRate: 10 }),
    peer('slower', { downloadRate: 5 }),
  ];
  assert.deepEqual(sorted(chooseUnchoked(peers, { uploadSlots: 3, seeding: false })), ['slow', 'slower']);
  // a snubbed peer can still be the optimistic one
  assert.deepEqual(sorted(chooseUnchoked(peers, { uploadSlots: 2, seeding: false, optimistic: 'fast-but-snubbed' })), [
    'fast-but-snubbed',
    'slow',
  ]);
});

test('seeding: ranked by our upload rate to them; ties rotate to the least recently unchoked', () => {
  const peers = [
    peer('a', { uploadRate: 10, downloadRate: 0, lastUnchokedAt: 100 }),
    peer('b', { uploadRate: 900, lastUnchokedAt: 100 }),
    peer('c', { uploadRate: 500, snubbed: true, lastUnchokedAt: 100 }),
    peer('d', { uploadRate: 10, downloadRate: 9999, lastUnchokedAt: 50 }),
  ];
  assert.deepEqual(sorted(chooseUnchoked(peers, { uploadSlots: 3, seeding: true })), ['b', 'c', 'd']);

  // Equal rates: unchoking repeatedly and stamping lastUnchokedAt visits every peer.
  const idle = Array.from({ length: 6 }, (_, i) => peer(`i${i}`, { lastUnchokedAt: undefined }));
  const seen = new Set<string>();
  for (let round = 1; round <= 3; round++) {
    const chosen = chooseUnchoked(idle, { uploadSlots: 2, seeding: true });
    assert.equal(chosen.size, 2);
    for (const p of idle)
      if (chosen.has(p.id)) {
        assert.ok(!seen.has(p.id), `${p.id} unchoked again before everyone had a turn`);
        seen.add(p.id);
        p.lastUnchokedAt = round * 10;
      }
  }
  assert.equal(seen.size, 6);
});

test('pickOptimistic: only interested non-regular peers; none gives undefined', () => {
  const peers = [peer('a'), peer('b', { interested: false }), peer('c'), peer('s', { isSeed: true })];
  const random = rng(3);
  for (let i = 0; i < 200; i++) {
    const id = pickOptimistic(peers, new Set(['a']), 1_000_000, random);
    assert.equal(id, 'c');
  }
  assert.equal(pickOptimistic(peers, new Set(['a', 'c']), 0, random), undefined);
  assert.equal(pickOptimistic([], new Set(), 0, random), undefined);
});

test('pickOptimistic: new peers are three times as likely (seeded statistical test)', () => {
  const now = 1_000_000;
  const peers = [
    peer('new1', { connectedAt: now - 5_000 }),
    peer('old1', { connectedAt: now - 600_000 }),
    peer('old2', { connectedAt: now - 120_000 }),
    peer('new2', { connectedAt: now - 59_000 }),
  ];
  const random = rng(12345);
  const counts = new Map<string, number>();
  const trials = 40_000;
  for (let i = 0; i < trials; i++) {
    const id = pickOptimistic(peers, new Set(), now, random)!;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  // expected shares: new 3/8 each, old 1/8 each
  for (const [id, expected] of [
    ['new1', 3 / 8],
    ['new2', 3 / 8],
    ['old1', 1 / 8],
    ['old2', 1 / 8],
  ] as const) {
    const share = (counts.get(id) ?? 0) / trials;
    assert.ok(Math.abs(share - expected) < 0.015, `${id}: ${share.toFixed(3)} vs ${expected}`);
  }
  const ratio = ((counts.get('new1') ?? 0) + (counts.get('new2') ?? 0)) / ((counts.get('old1') ?? 0) + (counts.get('old2') ?? 0));
  assert.ok(ratio > 2.7 && ratio < 3.3, `new:old ratio ${ratio.toFixed(2)}`);
});

test('isSnubbed: only with outstanding requests and after the timeout', () => {
  assert.equal(isSnubbed(0, 5, 59_999), false);
  assert.equal(isSnubbed(0, 5, 60_000), true);
  assert.equal(isSnubbed(0, 0, 600_000), false);
  assert.equal(isSnubbed(1_000, 1, 11_000, 10_000), true);
  assert.equal(isSnubbed(1_000, 1, 10_999, 10_000), false);
});
