import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionCache } from '../../../src/core/dream/session-cache.js';

/** A session that records when it is created and released. */
function tracker() {
  const events: string[] = [];
  const create = (name: string) => async () => {
    events.push(`create ${name}`);
    return {
      release: async () => {
        events.push(`release ${name}`);
      },
    };
  };
  return { events, create };
}

test('a cached session is reused, not compiled again', async () => {
  const cache = new SessionCache();
  const { events, create } = tracker();
  const first = await cache.get('a', 100, create('a'));
  assert.equal(await cache.get('a', 100, create('a again')), first);
  assert.deepEqual(events, ['create a']);
});

test('beyond the tile-pixel budget the least recently used sessions are released first', async () => {
  const cache = new SessionCache(300);
  const { events, create } = tracker();
  await cache.get('a', 100, create('a'));
  await cache.get('b', 100, create('b'));
  await cache.get('a', 100, create('a again'));
  await cache.get('c', 150, create('c'));
  assert.deepEqual(events, ['create a', 'create b', 'release b', 'create c'], 'b was released before c compiled');
  await cache.get('a', 100, create('a again'));
  assert.equal(events.length, 4, 'a stayed cached');
});

test('a budget of 0 keeps only the last session; one larger than the budget is still kept', async () => {
  const cache = new SessionCache(0);
  const { events, create } = tracker();
  await cache.get('a', 100, create('a'));
  await cache.get('a', 100, create('a again'));
  await cache.get('b', 100, create('b'));
  assert.deepEqual(events, ['create a', 'release a', 'create b']);
});

test('a session that failed to compile is not cached', async () => {
  const cache = new SessionCache();
  const { events, create } = tracker();
  await assert.rejects(
    cache.get('a', 100, async () => {
      throw new Error('no memory');
    }),
    { message: 'no memory' },
  );
  await cache.get('a', 100, create('a'));
  assert.deepEqual(events, ['create a']);
});

test('releaseAll releases every session, and later gets compile afresh', async () => {
  const cache = new SessionCache();
  const { events, create } = tracker();
  await cache.get('a', 100, create('a'));
  await cache.get('b', 100, create('b'));
  await cache.releaseAll();
  await cache.get('a', 100, create('a2'));
  assert.deepEqual(events, ['create a', 'create b', 'release a', 'release b', 'create a2']);
});
