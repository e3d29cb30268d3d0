/** Endless zooms through the studio API: kind=zoom, frame progress and previews, the MP4, the checks. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { errorMessage, fakeBackendModule, photoPng, postDream, testServer, waitForDream } from './helpers.js';

interface ZoomView {
  id: string;
  kind: string;
  status: string;
  width: number;
  height: number;
  frames?: number;
  fps?: number;
  parent?: string;
  progress?: { phase: string; frame: number; frames: number; fraction: number };
}

describe('studio zooms', () => {
  let app: FastifyInstance;
  let png: Buffer;
  before(async () => {
    app = await testServer();
    png = await photoPng(101, 61);
  });
  after(() => app.close());

  test('GET /api/presets gives the zoom knobs and their ranges', async () => {
    const { form } = (await app.inject({ url: '/api/presets' })).json();
    assert.deepEqual(form.zoom, {
      frames: { default: 100, min: 2, max: 250 },
      size: { default: 512, min: 64, max: 512 },
      zoom: { default: 1.02, min: 0.9, max: 1.1 },
      rotate: { default: 0, min: -10, max: 10 },
      steps: { default: 5 },
      fps: 25,
    });
  });

  test('kind=zoom renders an MP4 of the frames asked for, served with byte ranges', async () => {
    const posted = await postDream(app, { kind: 'zoom', frames: '4', zoom: '1.05', rotate: '-2', steps: '1' }, [
      { name: 'cat.png', bytes: png },
    ]);
    assert.equal(posted.statusCode, 202, posted.body);
    const view = posted.json<ZoomView>();
    // Frames have even sides (the MP4's pixel format needs them).
    assert.deepEqual([view.kind, view.frames, view.fps, view.width, view.height], ['zoom', 4, 25, 100, 60]);
    assert.equal((await waitForDream(app, view.id)).status, 'done');
    const done = (await app.inject({ url: `/api/dreams/${view.id}` })).json<ZoomView>();
    assert.deepEqual([done.kind, done.frames], ['zoom', 4]);

    const result = await app.inject({ url: `/api/dreams/${view.id}/result` });
    assert.equal(result.statusCode, 200);
    assert.equal(result.headers['content-type'], 'video/mp4');
    assert.equal(result.headers['content-disposition'], 'inline; filename="cat-zoom.mp4"');
    assert.equal(result.headers['cache-control'], 'private, max-age=3600');
    assert.equal(result.headers['accept-ranges'], 'bytes');
    assert.equal(result.rawPayload.subarray(4, 8).toString('latin1'), 'ftyp');
    const part = await app.inject({ url: `/api/dreams/${view.id}/result`, headers: { range: 'bytes=4-7' } });
    assert.equal(part.statusCode, 206);
    assert.equal(part.headers['content-range'], `bytes 4-7/${result.rawPayload.length}`);
    assert.equal(part.body, 'ftyp');
    const download = await app.inject({ url: `/api/dreams/${view.id}/result?download` });
    assert.equal(download.headers['content-disposition'], 'attachment; filename="cat-zoom.mp4"');
    // The settings say what was asked; the photo at the frames' size is the original.
    const original = await app.inject({ url: `/api/dreams/${view.id}/original` });
    assert.deepEqual(
      await sharp(original.rawPayload)
        .metadata()
        .then((m) => [m.width, m.height]),
      [101, 61],
    );
  });

  test('a shared zoom serves its MP4 to anyone with the link', async () => {
    const posted = await postDream(app, { kind: 'zoom', frames: '2', steps: '1' }, [{ name: 'cat.png', bytes: png }]);
    const { id } = posted.json<ZoomView>();
    await waitForDream(app, id);
    const { shareUrl } = (await app.inject({ method: 'POST', url: `/api/dreams/${id}/share` })).json();
    const token = shareUrl.split('/').pop();
    const stranger = { studio_owner: 'ffffffffffffffffffffffffffffffff' };
    const shared = await app.inject({ url: `/api/shared/${token}`, cookies: stranger });
    assert.deepEqual([shared.json().kind, shared.json().frames], ['zoom', 2]);
    const video = await app.inject({ url: `/api/shared/${token}/result`, cookies: stranger });
    assert.deepEqual([video.statusCode, video.headers['content-type']], [200, 'video/mp4']);
  });

  test('a zoom from a finished picture; never from a zoom', async () => {
    const picture = await postDream(app, { steps: '1' }, [{ name: 'cat.png', bytes: png }]);
    await waitForDream(app, picture.json().id);
    const zoom = await postDream(app, { kind: 'zoom', frames: '2', from: picture.json().id }, []);
    assert.equal(zoom.statusCode, 202, zoom.body);
    assert.deepEqual([zoom.json().kind, zoom.json().parent], ['zoom', picture.json().id]);
    assert.equal((await waitForDream(app, zoom.json().id)).status, 'done');
    const fromZoom = await postDream(app, { from: zoom.json().id }, []);
    assert.equal(fromZoom.statusCode, 400);
    assert.equal(
      errorMessage(fromZoom),
      `from: dream '${zoom.json().id}' is a zoom (a video); dream from a photo or a picture`,
    );
  });

  test('zoom fields are checked, named by their fields', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ frames: '10' }, 'frames is for a zoom: send kind=zoom with it'],
      [{ rotate: '1' }, 'rotate is for a zoom: send kind=zoom with it'],
      [{ kind: 'video' }, "kind must be one of picture, zoom (got 'video')"],
      [{ kind: 'zoom', frames: '1' }, 'frames must be an integer from 2 to 250 (got 1)'],
      [{ kind: 'zoom', frames: '251' }, 'frames must be an integer from 2 to 250 (got 251)'],
      [{ kind: 'zoom', zoom: '1.5' }, 'zoom must be a number from 0.9 to 1.1 (got 1.5)'],
      [{ kind: 'zoom', rotate: 'x' }, "rotate must be a number from -10 to 10 (got 'x')"],
      [{ kind: 'zoom', size: '1024' }, 'size must be an integer from 64 to 512 (got 1024)'],
    ];
    for (const [fields, message] of cases) {
      const response = await postDream(app, fields, [{ name: 'cat.png', bytes: png }]);
      assert.equal(response.statusCode, 400, JSON.stringify(fields));
      assert.equal(errorMessage(response), message);
    }
    const thin = await postDream(app, { kind: 'zoom' }, [{ name: 'thin.png', bytes: await photoPng(400, 6) }]);
    assert.equal(errorMessage(thin), 'the photo is too thin for a zoom: its frames need 8 px on each side');
  });
});

test('a running zoom reports frames and serves the latest one; its work folder goes when it ends', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'studio-zoom-'));
  const app = await testServer({ dataDir, backendModule: fakeBackendModule('kind=grid&delayMs=40') });
  try {
    const posted = await postDream(app, { kind: 'zoom', frames: '8', steps: '2', size: '64' }, [
      { name: 'cat.png', bytes: await photoPng(64, 48) },
    ]);
    const { id } = posted.json<ZoomView>();
    let view: ZoomView;
    for (;;) {
      view = (await app.inject({ url: `/api/dreams/${id}` })).json<ZoomView>();
      if (view.status === 'done' || (view.progress?.frame ?? 0) >= 2) break;
      await setTimeout(20);
    }
    assert.equal(view.status, 'running');
    assert.deepEqual([view.progress?.phase, view.progress?.frames], ['dream', 8]);
    const frames = await readdir(join(dataDir, 'work', id, 'zoom.mp4.frames'));
    assert.ok(frames.includes('000001.png'), `checkpointed: ${frames.join(' ')}`);
    const preview = await app.inject({ url: `/api/dreams/${id}/preview` });
    assert.equal(preview.statusCode, 200);
    assert.equal(preview.headers['content-type'], 'image/png');
    const meta = await sharp(preview.rawPayload).metadata();
    assert.deepEqual([meta.width, meta.height], [64, 48]);
    assert.equal((await waitForDream(app, id)).status, 'done');
    // The frames are removed just after the dream is marked done.
    for (let wait = 0; wait < 100 && existsSync(join(dataDir, 'work', id)); wait++) await setTimeout(20);
    assert.equal(existsSync(join(dataDir, 'work', id)), false);
    assert.equal(existsSync(join(dataDir, 'results', `${id}.mp4`)), true);
  } finally {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
