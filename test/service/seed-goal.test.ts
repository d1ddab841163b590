import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seedGoalReached } from '../../source/service/seed-goal.js';

test('seedGoalReached: the ratio over the size, or the minutes, whichever comes first; no goal never', () => {
  assert.equal(
    seedGoalReached({ ratio: 1 }, { uploaded: 999, length: 1000, minutes: 1e9 }),
    undefined,
    'no time goal: minutes do not count',
  );
  assert.equal(seedGoalReached({ ratio: 1 }, { uploaded: 1000, length: 1000, minutes: 0 }), 'ratio');
  assert.equal(
    seedGoalReached({ minutes: 5 }, { uploaded: 1e12, length: 1000, minutes: 4.99 }),
    undefined,
    'no ratio goal: uploads do not count',
  );
  assert.equal(seedGoalReached({ minutes: 5 }, { uploaded: 0, length: 1000, minutes: 5 }), 'time');
  assert.equal(
    seedGoalReached({ ratio: 2, minutes: 5 }, { uploaded: 2000, length: 1000, minutes: 6 }),
    'ratio',
    'both: the ratio is named first',
  );
  assert.equal(seedGoalReached({ ratio: 2, minutes: 5 }, { uploaded: 0, length: 1000, minutes: 6 }), 'time');
  assert.equal(seedGoalReached({}, { uploaded: 1e12, length: 1, minutes: 1e9 }), undefined);
  assert.equal(seedGoalReached({ ratio: 0.5 }, { uploaded: 1, length: 0, minutes: 0 }), 'ratio', 'an empty torrent counts as one byte');
});
