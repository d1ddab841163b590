import { test } from 'node:test';
import assert from 'node:assert/strict';
import { peerFlags } from '../../source/store/detail.js';

const idle = { amInterested: false, peerChoking: true, peerInterested: false, amChoking: true, snubbed: false, incoming: false };

test("the Peers tab's flags: P marks a uTP connection, as libtorrent's letter does", () => {
  assert.equal(peerFlags({ ...idle, transport: 'tcp' }), '');
  assert.equal(peerFlags({ ...idle, transport: 'utp' }), 'P');
  assert.equal(peerFlags({ ...idle, amInterested: true, peerChoking: false, incoming: true, transport: 'utp' }), 'DIP');
});
