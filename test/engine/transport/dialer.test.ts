import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EXPLICIT_DIAL_POLICY,
  KnownPeers,
  METADATA_DIAL_POLICY,
  SWARM_DIAL_POLICY,
  addressKey,
} from '../../../source/engine/transport/dialer.js';

test('swarm policy: retries wait 10 s, 20 s, 40 s ... up to 10 min; a handshake resets the count; forgotten after 7 failures in a row', () => {
  const known = new KnownPeers(SWARM_DIAL_POLICY);
  assert.equal(known.add('10.0.0.1', 6881), true);
  assert.equal(known.add('10.0.0.1', 6881), false);
  const peer = [...known.values()][0]!;
  assert.equal(peer.key, '10.0.0.1:6881');
  assert.equal(known.isDue(peer, 0), true);
  const waits: number[] = [];
  for (let i = 1; i <= 6; i++) {
    known.begin(peer);
    assert.equal(known.isDue(peer, 0), false, 'not while dialing');
    known.failed(peer, 1000);
    waits.push(peer.nextTryAt - 1000);
  }
  assert.deepEqual(waits, [10_000, 20_000, 40_000, 80_000, 160_000, 320_000]);
  known.begin(peer);
  known.succeeded(peer);
  assert.equal(peer.tries, 0);
  for (let i = 1; i <= 6; i++) {
    known.begin(peer);
    known.failed(peer, 0);
  }
  assert.equal(peer.nextTryAt, 320_000);
  assert.equal(known.has(peer.key), true);
  known.begin(peer);
  known.failed(peer, 0);
  assert.equal(known.has(peer.key), false, 'forgotten after the 7th failure');
});

test('swarm policy: the wait is capped at 10 minutes', () => {
  const known = new KnownPeers({ ...SWARM_DIAL_POLICY, maxTries: 100 });
  known.add('10.0.0.1', 1);
  const peer = [...known.values()][0]!;
  for (let i = 0; i < 12; i++) {
    known.begin(peer);
    known.failed(peer, 0);
  }
  assert.equal(peer.nextTryAt, 600_000);
});

test('metadata policy: 4 attempts however they end, 1 s, 2 s, 4 s apart; the address is kept afterwards', () => {
  const known = new KnownPeers(METADATA_DIAL_POLICY);
  known.add('::1', 6881);
  const peer = [...known.values()][0]!;
  assert.equal(peer.key, '[::1]:6881');
  const waits: number[] = [];
  for (let i = 1; i <= 4; i++) {
    assert.equal(known.isDue(peer, peer.nextTryAt), true);
    known.begin(peer);
    assert.equal(peer.nextTryAt, Infinity, 'not again until this attempt ends');
    if (i % 2) known.failed(peer, 0);
    else {
      known.succeeded(peer);
      assert.equal(peer.nextTryAt, Infinity, 'connected: the retry waits for the connection to end');
      known.ended(peer.key, 0);
    }
    waits.push(peer.nextTryAt);
  }
  assert.deepEqual(waits, [1000, 2000, 4000, 8000]);
  assert.equal(known.isDue(peer, Infinity), false, 'given up');
  assert.equal(known.has(peer.key), true, 'kept');
});

test('giveUp: never dialled again', () => {
  const known = new KnownPeers(METADATA_DIAL_POLICY);
  known.add('10.0.0.2', 1);
  known.giveUp('10.0.0.2:1');
  assert.equal(known.isDue([...known.values()][0]!, Infinity), false);
});

test('addressKey brackets IPv6', () => {
  assert.equal(addressKey('1.2.3.4', 5), '1.2.3.4:5');
  assert.equal(addressKey('fe80::1', 5), '[fe80::1]:5');
});

test('explicit policy (--peer, x.pe): retries wait 1 s, 2 s, 4 s ... up to 30 s, and the address is never forgotten', () => {
  const known = new KnownPeers(SWARM_DIAL_POLICY);
  known.add('10.0.0.1', 6881, EXPLICIT_DIAL_POLICY);
  const peer = [...known.values()][0]!;
  const waits: number[] = [];
  for (let i = 1; i <= 8; i++) {
    known.begin(peer);
    known.failed(peer, 0);
    waits.push(peer.nextTryAt);
  }
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  for (let i = 0; i < 50; i++) {
    known.begin(peer);
    known.failed(peer, 0);
  }
  assert.equal(known.has(peer.key), true, 'never forgotten');
  assert.equal(known.isDue(peer, 30_000), true, 'and still dialled');
});

test('an address heard of first from a tracker, then given explicitly, takes the explicit policy and is due at once', () => {
  const known = new KnownPeers(SWARM_DIAL_POLICY);
  known.add('10.0.0.1', 6881);
  const peer = [...known.values()][0]!;
  known.begin(peer);
  known.failed(peer, 0);
  assert.equal(peer.nextTryAt, 10_000);
  assert.equal(known.add('10.0.0.1', 6881, EXPLICIT_DIAL_POLICY), false);
  assert.equal(known.isDue(peer, 1), true);
  known.begin(peer);
  known.failed(peer, 0);
  assert.equal(peer.nextTryAt, 1000);
});
