/**
 * Nothing is lost when the studio is killed: `kill -9` with one dream done, one running and four
 * waiting, then a restart on the same data folder, ends with all six done under the same ids.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { photoPng } from './helpers.js';
import { startStudioProcess, waitForView, type View } from './studio-process.js';

test('kill -9 with 1 done, 1 running and 4 queued dreams loses none of them', async () => {
  const data = await mkdtemp(join(tmpdir(), 'durable-test-'));
  const photo = await photoPng(48, 32);
  const perOwner = ['--max-queued-per-owner', '10'];
  // 100 ms per tile step: each dream of 20 steps a scale runs for seconds, long enough to be killed in.
  const first = await startStudioProcess(data, 'kind=grid&delayMs=100', perOwner);
  let ids: string[];
  let doneResult: Buffer;
  try {
    const done = (await (await first.postDream({ steps: '1' }, photo)).json()) as View;
    await waitForView<View>(first, done.id, (view) => view.status === 'done');
    doneResult = Buffer.from(await (await first.api(`/api/dreams/${done.id}/result`)).arrayBuffer());
    const later: View[] = [];
    for (let i = 0; i < 5; i++) {
      const posted = await first.postDream({ steps: '20', seed: String(i) }, photo);
      assert.equal(posted.status, 202);
      later.push((await posted.json()) as View);
    }
    await waitForView<View>(first, later[0]!.id, (view) => view.progress !== undefined);
    const statuses = await Promise.all(
      later.map(async ({ id }) => ((await (await first.api(`/api/dreams/${id}`)).json()) as View).status),
    );
    assert.deepEqual(statuses, ['running', 'queued', 'queued', 'queued', 'queued']);
    ids = [done.id, ...later.map((view) => view.id)];
  } finally {
    first.child.kill('SIGKILL');
  }
  assert.deepEqual((await first.exited)[1], 'SIGKILL');

  const second = await startStudioProcess(data, 'kind=grid', perOwner);
  try {
    for (const id of ids) {
      await waitForView<View>(second, id, (view) => view.status === 'done');
      const result = await second.api(`/api/dreams/${id}/result`);
      assert.equal(result.status, 200);
      const bytes = Buffer.from(await result.arrayBuffer());
      const meta = await sharp(bytes).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['png', 48, 32]);
      if (id === ids[0]) assert.deepEqual(bytes, doneResult, 'the finished dream is the same file');
    }
    const listed = (await (await second.api('/api/dreams')).json()) as { dreams: View[] };
    assert.deepEqual(
      listed.dreams.map((view) => view.id),
      [...ids].reverse(),
      'newest first',
    );
  } finally {
    second.child.kill('SIGTERM');
  }
  assert.deepEqual(await second.exited, [0, null]);
  // No temporary file is left in the data folder.
  const files = [...(await readdir(join(data, 'uploads'))), ...(await readdir(join(data, 'results')))];
  assert.equal(files.filter((name) => name.endsWith('.tmp')).length, 0);
  assert.equal(files.length, 12, 'a photo and a result for each dream');
  const db = new Database(join(data, 'studio.db'), { readonly: true });
  const attempts = ids.map((id) => db.prepare('SELECT attempts FROM dreams WHERE id = ?').pluck().get(id));
  db.close();
  assert.deepEqual(attempts, [0, 1, 0, 0, 0, 0], 'the running dream was counted as interrupted once');
  await rm(data, { recursive: true, force: true });
});

test('kill -9 during a zoom: after the restart it continues from its last finished frame', async () => {
  const data = await mkdtemp(join(tmpdir(), 'durable-zoom-'));
  const photo = await photoPng(48, 32);
  type ZoomView = View & { progress?: { frame: number; resumed: number } };
  const first = await startStudioProcess(data, 'kind=grid&delayMs=100');
  let id: string;
  try {
    const posted = await first.postDream({ kind: 'zoom', frames: '12', steps: '1' }, photo);
    assert.equal(posted.status, 202);
    id = ((await posted.json()) as View).id;
    await waitForView<ZoomView>(first, id, (view) => (view.progress?.frame ?? 0) >= 3);
  } finally {
    first.child.kill('SIGKILL');
  }
  await first.exited;
  const frames = join(data, 'work', id, 'zoom.mp4.frames');
  const checkpointed = (await readdir(frames)).filter((name) => /^\d{6}\.png$/.test(name)).length;
  assert.ok(checkpointed >= 3, `${checkpointed} frames checkpointed`);

  const second = await startStudioProcess(data, 'kind=grid&delayMs=100');
  try {
    const resumed = await waitForView<ZoomView>(second, id, (view) => view.progress !== undefined);
    assert.ok(resumed.progress!.frame > checkpointed, `went on from frame ${resumed.progress!.frame}`);
    assert.equal(resumed.progress!.resumed, checkpointed);
    await waitForView<ZoomView>(second, id, (view) => view.status === 'done');
    const result = await second.api(`/api/dreams/${id}/result`);
    assert.equal(result.headers.get('content-type'), 'video/mp4');
    const bytes = Buffer.from(await result.arrayBuffer());
    assert.equal(bytes.subarray(4, 8).toString('latin1'), 'ftyp');
  } finally {
    second.child.kill('SIGTERM');
  }
  assert.deepEqual(await second.exited, [0, null]);
  assert.deepEqual(await readdir(join(data, 'work')), [], 'the frames go once the zoom is done');
  await rm(data, { recursive: true, force: true });
});
