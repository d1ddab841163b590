import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { test } from 'node:test';
import { HostLookup } from '../../../source/engine/discovery/tracker/host-lookup.js';
import { Limiter } from '../../../source/engine/discovery/tracker/limiter.js';

/** A resolver where names starting with "hang" never answer, "bad" fail, others answer after `delayMs`. */
function fakeResolver(delayMs = 5) {
  const calls: string[] = [];
  let running = 0;
  let most = 0;
  const resolve = (host: string, callback: (error: Error | null, address?: LookupAddress) => void) => {
    calls.push(host);
    running++;
    most = Math.max(most, running);
    if (host.startsWith('hang')) return;
    setTimeout(() => {
      running--;
      if (host.startsWith('bad')) callback(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }));
      else callback(null, { address: '10.0.0.1', family: 4 });
    }, delayMs);
  };
  return { resolve, calls, most: () => most };
}

test('host lookup: a hanging resolver holds at most two lookups; literals and remembered names still answer at once', async () => {
  const fake = fakeResolver();
  const hosts = new HostLookup({ resolve: fake.resolve, maxLookups: 2 });
  assert.deepEqual(await hosts.lookup('known.example'), { address: '10.0.0.1', family: 4 });
  const hung = Array.from({ length: 50 }, (_, i) => hosts.lookup(`hang-${i}.example`, 100));
  const results = await Promise.allSettled(hung);
  assert.ok(
    results.every((r) => r.status === 'rejected' && /timed out/.test(String(r.reason))),
    'each gives up on its own deadline',
  );
  assert.equal(hosts.running, 2, 'never more than two in the resolver, hung ones included');
  assert.equal(fake.most(), 2);
  assert.equal(fake.calls.filter((h) => h.startsWith('hang')).length, 2, 'the rest never reached the resolver');
  const t0 = performance.now();
  assert.deepEqual(await hosts.lookup('127.0.0.1'), { address: '127.0.0.1', family: 4 });
  assert.deepEqual(await hosts.lookup('::1'), { address: '::1', family: 6 });
  assert.deepEqual(await hosts.lookup('known.example'), { address: '10.0.0.1', family: 4 }, 'remembered');
  assert.ok(performance.now() - t0 < 50);
});

test('host lookup: one lookup per name at a time, answers and failures remembered', async () => {
  const fake = fakeResolver(20);
  const hosts = new HostLookup({ resolve: fake.resolve, maxLookups: 2 });
  const many = await Promise.all(Array.from({ length: 20 }, () => hosts.lookup('tracker.example')));
  assert.ok(many.every((a) => a.address === '10.0.0.1'));
  await assert.rejects(hosts.lookup('bad.example'), /not found/);
  await assert.rejects(hosts.lookup('bad.example'), /not found/);
  await hosts.lookup('tracker.example');
  assert.deepEqual(fake.calls, ['tracker.example', 'bad.example']);
  // Thousands of distinct names: never more than two at once, all answered.
  const spread = await Promise.all(Array.from({ length: 300 }, (_, i) => hosts.lookup(`t${i}.example`, 10_000)));
  assert.equal(spread.length, 300);
  assert.equal(fake.most(), 2);
});

test('limiter: at most max tasks at once, every one runs, in order', async () => {
  const limiter = new Limiter(3);
  let running = 0;
  let most = 0;
  const order: number[] = [];
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      limiter
        .run(async () => {
          order.push(i);
          running++;
          most = Math.max(most, running);
          await new Promise((r) => setTimeout(r, 2));
          running--;
          if (i === 7) throw new Error('a failure frees its slot too');
        })
        .catch(() => undefined),
    ),
  );
  assert.equal(most, 3);
  assert.deepEqual(
    order,
    Array.from({ length: 20 }, (_, i) => i),
  );
  assert.equal(limiter.active, 0);
});

test('host lookup: a queued lookup that every caller gave up on never reaches the resolver', async () => {
  const calls: string[] = [];
  let answerFirst!: () => void;
  const resolve = (host: string, callback: (error: Error | null, address?: LookupAddress) => void) => {
    calls.push(host);
    answerFirst = () => callback(null, { address: '10.0.0.1', family: 4 });
  };
  const hosts = new HostLookup({ resolve, maxLookups: 1 });
  const given = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => hosts.lookup(`slow-${i}.example`, 20)));
  assert.ok(given.every((r) => r.status === 'rejected'));
  assert.deepEqual(calls, ['slow-0.example'], 'one in the resolver, the rest queued');
  const waited = hosts.lookup('wanted.example', 10_000);
  answerFirst();
  // The nine nobody waits for are dropped; the one still wanted goes next.
  assert.deepEqual(calls, ['slow-0.example', 'wanted.example']);
  answerFirst();
  assert.deepEqual(await waited, { address: '10.0.0.1', family: 4 });
  assert.equal(hosts.running, 0);
});
