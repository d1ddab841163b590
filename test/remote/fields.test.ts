import assert from 'node:assert/strict';
import { test } from 'node:test';
import { peerFlags } from '../../source/remote/fields.js';

test("a remote peer's flags: Transmission's flagStr and booleans in btui's letters", () => {
  // transmission-daemon 3.00 sends flagStr and the booleans; D d U u read alike, T (uTP) becomes P.
  assert.equal(peerFlags({ flagStr: 'DEI' }), 'DIE');
  assert.equal(peerFlags({ flagStr: 'dUT' }), 'dUP');
  assert.equal(peerFlags({ flagStr: 'uKE' }), 'uE');
  // Only the booleans (an older daemon, or a btui daemon's fields).
  assert.equal(
    peerFlags({
      clientIsInterested: true,
      clientIsChoked: true,
      peerIsInterested: true,
      peerIsChoked: false,
      isEncrypted: true,
      isUTP: true,
    }),
    'dUEP',
  );
  assert.equal(peerFlags({ isDownloadingFrom: true, isIncoming: true }), 'DI');
  assert.equal(peerFlags({}), '');
});
