import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import type { DreamExecutor } from '../../../src/apps/shared/dream-job.js';
import type { DreamRecipe } from '../../../src/apps/shared/recipe.js';
import { recipeFromXmp } from '../../../src/node/image/recipe.js';
import {
  errorMessage,
  fakeBackendModule,
  multipart,
  photoPng,
  postDream,
  TEST_OWNER,
  testServer,
  waitForDream,
} from './helpers.js';

describe('studio API', () => {
  let app: FastifyInstance;
  let png: Buffer;
  before(async () => {
    app = await testServer();
    png = await photoPng();
  });
  after(() => app.close());

  test('GET /api/presets lists the looks with descriptions and the form limits', async () => {
    const response = await app.inject({ url: '/api/presets' });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    const eyes = body.presets.find((p: { name: string }) => p.name === 'eyes');
    assert.match(eyes.description, /eyes/);
    assert.equal(eyes.model, 'inception_v3');
    assert.equal(body.defaultPreset, 'eyes');
    assert.deepEqual(body.form.size, { default: 1024, min: 64, max: 1024 });
    assert.deepEqual(body.form.steps, { default: 10, min: 1, max: 100 });
    assert.equal(body.form.maxUploadBytes, 20 * 1024 * 1024);
  });

  test('GET /api/models and /api/models/:name/layers', async () => {
    const models = (await app.inject({ url: '/api/models' })).json().models;
    assert.deepEqual(
      models.map((m: { name: string }) => m.name),
      ['inception_v3', 'tiny_net'],
    );
    const layers = await app.inject({ url: '/api/models/tiny_net/layers' });
    assert.equal(layers.statusCode, 200);
    assert.deepEqual(layers.json(), {
      model: 'tiny_net',
      defaultLayer: 'conv1',
      layers: [{ name: 'conv1', shape: [4, 8, 8], channels: 4 }],
    });
    const unknown = await app.inject({ url: '/api/models/nope/layers' });
    assert.equal(unknown.statusCode, 404);
    assert.equal(errorMessage(unknown), "unknown model 'nope'");
  });

  test('a dream goes from upload to a PNG with its recipe', async () => {
    const posted = await postDream(app, { preset: 'textures', steps: '2', seed: '3' }, [
      { name: 'cat.png', bytes: png },
    ]);
    assert.equal(posted.statusCode, 202);
    const { id, status, width, height, name } = posted.json();
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.ok(['queued', 'running'].includes(status));
    assert.deepEqual([width, height, name], [48, 32, 'cat.png']);
    assert.equal((await waitForDream(app, id)).status, 'done');

    const result = await app.inject({ url: `/api/dreams/${id}/result` });
    assert.equal(result.statusCode, 200);
    assert.equal(result.headers['content-type'], 'image/png');
    assert.equal(result.headers['content-disposition'], 'inline; filename="cat-dream.png"');
    const meta = await sharp(result.rawPayload).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 48, 32]);
    const recipe = recipeFromXmp(meta.xmp!.toString('utf8')) as unknown as DreamRecipe;
    assert.equal(recipe.program, 'inceptionism');
    assert.deepEqual(recipe.input, { name: 'cat.png', bytes: png.length });
    assert.equal(recipe.maxSize, 1024);
    // The preset's 3 octaves are for a 1024-px photo: a 48-px one gets 1, and the recipe says so.
    assert.deepEqual(
      [recipe.options.layers, recipe.options.steps, recipe.options.seed, recipe.options.octaves],
      [[{ name: 'mixed1', weight: 1 }], 2, 3, 1],
    );
    // The fake network changed the pixels.
    const original = await sharp(png).raw().toBuffer();
    assert.notDeepEqual(await sharp(result.rawPayload).raw().toBuffer(), original);

    const download = await app.inject({ url: `/api/dreams/${id}/result?download` });
    assert.equal(download.headers['content-disposition'], 'attachment; filename="cat-dream.png"');
  });

  test('a channel of a layer is dreamed alone, and its recipe says so', async () => {
    const posted = await postDream(app, { layer: 'mixed4', channel: '3', steps: '1' }, [
      { name: 'cat.png', bytes: png },
    ]);
    assert.equal(posted.statusCode, 202, posted.body);
    assert.deepEqual(posted.json().settings, { layer: 'mixed4', channel: '3', steps: '1' });
    assert.equal((await waitForDream(app, posted.json().id)).status, 'done');
    const result = await app.inject({ url: `/api/dreams/${posted.json().id}/result` });
    const recipe = recipeFromXmp(
      (await sharp(result.rawPayload).metadata()).xmp!.toString('utf8'),
    ) as unknown as DreamRecipe;
    assert.deepEqual([recipe.options.layers, recipe.options.channels], [[{ name: 'mixed4', weight: 1 }], [3]]);
  });

  test('size scales the photo down; a chosen layer is dreamed', async () => {
    const big = await photoPng(200, 100);
    const posted = await postDream(app, { size: '100', steps: '1', layer: 'mixed5' }, [
      { name: 'big.png', bytes: big },
    ]);
    assert.equal(posted.statusCode, 202);
    assert.deepEqual([posted.json().width, posted.json().height], [100, 50]);
    const done = await waitForDream(app, posted.json().id);
    assert.equal(done.status, 'done');
    const result = await app.inject({ url: `/api/dreams/${posted.json().id}/result` });
    const recipe = recipeFromXmp((await sharp(result.rawPayload).metadata()).xmp!.toString()) as unknown as DreamRecipe;
    assert.deepEqual(recipe.options.layers, [{ name: 'mixed5', weight: 1 }]);
    assert.equal(recipe.maxSize, 100);
  });

  test('a look on another model is checked and dreamed at its depth', async () => {
    const posted = await postDream(app, { model: 'tiny_net', preset: 'objects', steps: '1' }, [
      { name: 'cat.png', bytes: png },
    ]);
    assert.equal(posted.statusCode, 202);
    const done = await waitForDream(app, posted.json().id);
    assert.equal(done.status, 'done');
    const result = await app.inject({ url: `/api/dreams/${posted.json().id}/result` });
    const recipe = recipeFromXmp((await sharp(result.rawPayload).metadata()).xmp!.toString()) as unknown as DreamRecipe;
    assert.deepEqual(recipe.options.layers, [{ name: '@1', weight: 1 }]);
  });

  test('GET /api/dreams/:id/events streams progress until the dream ends', async () => {
    const posted = await postDream(app, { steps: '2' }, [{ name: 'p.png', bytes: png }]);
    const events = await app.inject({ url: `/api/dreams/${posted.json().id}/events` });
    assert.equal(events.statusCode, 200);
    assert.match(events.headers['content-type'] as string, /^text\/event-stream/);
    const views = events.body
      .split('\n\n')
      .filter((chunk) => chunk.startsWith('data: '))
      .map((chunk) => JSON.parse(chunk.slice('data: '.length)));
    assert.equal(views.at(-1).status, 'done');
    const progress = views.filter((v) => v.progress).map((v) => v.progress);
    assert.ok(progress.length >= 2, 'several progress events');
    assert.deepEqual(
      { octaves: progress.at(-1).octaves, steps: progress.at(-1).steps, fraction: progress.at(-1).fraction },
      { octaves: 1, steps: 2, fraction: 1 },
    );
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i].fraction >= progress[i - 1].fraction);
  });

  test('unknown dreams are 404 everywhere; an unfinished result is 409', async () => {
    for (const [method, url] of [
      ['GET', '/api/dreams/nope'],
      ['GET', '/api/dreams/nope/events'],
      ['GET', '/api/dreams/nope/result'],
      ['DELETE', '/api/dreams/nope'],
    ] as const) {
      const response = await app.inject({ method, url });
      assert.equal(response.statusCode, 404, url);
      assert.match(errorMessage(response), /no dream 'nope'/);
    }
    const missing = await app.inject({ url: '/api/nothing-here' });
    assert.equal(missing.statusCode, 404);
    assert.equal(errorMessage(missing), 'not found: GET /api/nothing-here');
  });

  test('the page and its assets are served', async () => {
    const page = await app.inject({ url: '/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    assert.match(page.body, /<label[^>]*for="steps"/);
    for (const asset of ['/app.js', '/theme.css', '/style.css'])
      assert.equal((await app.inject({ url: asset })).statusCode, 200);
  });
});

describe('studio API refuses bad uploads with one-line errors', () => {
  let app: FastifyInstance;
  let png: Buffer;
  before(async () => {
    app = await testServer({ maxUploadBytes: 4000, maxPixels: 100_000 });
    png = await photoPng();
  });
  after(() => app.close());

  const photo = () => [{ name: 'p.png', bytes: png }];
  const cases: Array<
    [
      string,
      () => Promise<[Record<string, string>, Array<{ name: string; bytes: Buffer; field?: string }>]>,
      number,
      RegExp,
    ]
  > = [
    ['no photo', async () => [{ steps: '2' }, []], 400, /no photo: send it in the 'image' field/],
    [
      'an empty file',
      async () => [{}, [{ name: 'e.png', bytes: Buffer.alloc(0) }]],
      400,
      /cannot read e\.png: the file is empty/,
    ],
    [
      'not an image',
      async () => [{}, [{ name: 'notes.txt', bytes: Buffer.from('hello, not a photo') }]],
      400,
      /cannot read notes\.txt: not a supported image/,
    ],
    [
      'a corrupt image',
      async () => [{}, [{ name: 'cut.png', bytes: png.subarray(0, 60) }]],
      400,
      /cannot read cut\.png: not a supported image/,
    ],
    [
      'a file over the byte limit',
      async () => [{}, [{ name: 'big.png', bytes: Buffer.alloc(5000, 1) }]],
      413,
      /larger than the 4 KB limit/,
    ],
    [
      'too many pixels',
      async () => [
        {},
        [
          {
            name: 'huge.png',
            bytes: await sharp({ create: { width: 400, height: 400, channels: 3, background: '#888' } })
              .png()
              .toBuffer(),
          },
        ],
      ],
      400,
      /400x400 pixels is too large \(limit 100000 pixels\)/,
    ],
    ['two photos', async () => [{}, [...photo(), ...photo()]], 413, /one photo at a time/],
    [
      'a file in another field',
      async () => [{}, [{ field: 'photo', name: 'p.png', bytes: png }]],
      400,
      /unexpected file in field 'photo'/,
    ],
    [
      'an unknown preset',
      async () => [{ preset: 'sparkles' }, photo()],
      400,
      /^preset must be one of eyes, textures, objects \(got 'sparkles'\)$/,
    ],
    [
      'an unknown model',
      async () => [{ model: 'alexnet' }, photo()],
      400,
      /unknown model 'alexnet' \(models: inception_v3, tiny_net\)/,
    ],
    [
      'a layer deeper than the top',
      async () => [{ model: 'tiny_net', layer: '@2' }, photo()],
      400,
      /^model tiny_net has no dreamable layer '@2'$/,
    ],
    [
      'an unknown layer',
      async () => [{ layer: 'mixed9' }, photo()],
      400,
      /model inception_v3 has no dreamable layer 'mixed9'/,
    ],
    [
      'a channel the layer does not have',
      async () => [{ layer: 'mixed4', channel: '8' }, photo()],
      400,
      /^channel 8 is out of range: layer 'mixed4' has channels 0 to 7$/,
    ],
    [
      'steps out of range',
      async () => [{ steps: '500' }, photo()],
      400,
      /^steps must be an integer from 1 to 100 \(got 500\)$/,
    ],
    [
      'steps not a number',
      async () => [{ steps: 'lots' }, photo()],
      400,
      /^steps must be an integer from 1 to 100 \(got 'lots'\)$/,
    ],
    [
      'a size too small',
      async () => [{ size: '10' }, photo()],
      400,
      /^size must be an integer from 64 to 1024 \(got 10\)$/,
    ],
    [
      'a negative seed',
      async () => [{ seed: '-1' }, photo()],
      400,
      /^seed must be an integer from 0 to 4294967295 \(got -1\)$/,
    ],
    ['an unknown field', async () => [{ octaves: '40' }, photo()], 400, /unknown field 'octaves'/],
  ];
  for (const [what, parts, status, message] of cases) {
    test(what, async () => {
      const [fields, files] = await parts();
      const response = await postDream(app, fields, files);
      assert.equal(response.statusCode, status, response.body);
      assert.match(errorMessage(response), message);
    });
  }

  test('a request that is not multipart', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/dreams', payload: { image: 'x' } });
    assert.equal(response.statusCode, 415);
    assert.match(errorMessage(response), /multipart\/form-data/);
  });

  test('the server still dreams after all that', async () => {
    const response = await postDream(app, { steps: '1' }, photo());
    assert.equal(response.statusCode, 202);
    assert.equal((await waitForDream(app, response.json().id)).status, 'done');
  });
});

test('a dream whose network fails is reported as failed with its message', async () => {
  const app = await testServer({ backendModule: fakeBackendModule('kind=fail') });
  try {
    const posted = await postDream(app, { steps: '1' }, [{ name: 'p.png', bytes: await photoPng() }]);
    assert.deepEqual(await waitForDream(app, posted.json().id), {
      ...posted.json(),
      status: 'failed',
      error: 'fake backend refused: no such model',
    });
    const result = await app.inject({ url: `/api/dreams/${posted.json().id}/result` });
    assert.equal(result.statusCode, 409);
    assert.equal(errorMessage(result), 'the dream is not ready (it is failed)');
  } finally {
    await app.close();
  }
});

describe('owners, history and sharing', () => {
  let app: FastifyInstance;
  let png: Buffer;
  const OTHER = { studio_owner: 'f'.repeat(32) };
  before(async () => {
    app = await testServer();
    png = await photoPng();
  });
  after(() => app.close());

  const dreamed = async (fields: Record<string, string> = { steps: '1' }) => {
    const posted = await postDream(app, fields, [{ name: 'cat.png', bytes: png }]);
    assert.equal(posted.statusCode, 202, posted.body);
    assert.equal((await waitForDream(app, posted.json().id)).status, 'done');
    return posted.json<{ id: string }>().id;
  };

  test('a new browser gets an owner cookie: random, HttpOnly, SameSite=Lax', async () => {
    const first = await app.inject({ url: '/api/dreams', cookies: {} });
    const second = await app.inject({ url: '/api/dreams', cookies: {} });
    const cookie = first.headers['set-cookie'] as string;
    assert.match(cookie, /^studio_owner=[0-9a-f]{32}; Max-Age=34560000; Path=\/; HttpOnly; SameSite=Lax$/);
    assert.notEqual(cookie, second.headers['set-cookie']);
    assert.deepEqual(first.json(), { dreams: [] });
    assert.equal((await app.inject({ url: '/api/dreams' })).headers['set-cookie'], undefined, 'kept once given');
  });

  test('another browser gets 404 for every route of a dream, and does not list it', async () => {
    const id = await dreamed();
    for (const [method, url] of [
      ['GET', `/api/dreams/${id}`],
      ['GET', `/api/dreams/${id}/events`],
      ['GET', `/api/dreams/${id}/result`],
      ['GET', `/api/dreams/${id}/original`],
      ['GET', `/api/dreams/${id}/preview`],
      ['POST', `/api/dreams/${id}/share`],
      ['DELETE', `/api/dreams/${id}/share`],
      ['DELETE', `/api/dreams/${id}`],
    ] as const) {
      const response = await app.inject({ method, url, cookies: OTHER });
      assert.equal(response.statusCode, 404, `${method} ${url}`);
      assert.equal(errorMessage(response), `no dream '${id}'`);
    }
    const theirs = await app.inject({ url: '/api/dreams', cookies: OTHER });
    assert.deepEqual(theirs.json(), { dreams: [] });
    const from = await postDream(app, { from: id }, []);
    assert.equal(from.statusCode, 202, 'the owner may dream it again');
    await waitForDream(app, from.json().id);
    const stolen = await app.inject({
      method: 'POST',
      url: '/api/dreams',
      cookies: OTHER,
      ...(await multipart({ from: id }, [])),
    });
    assert.equal(stolen.statusCode, 400);
    assert.equal(errorMessage(stolen), `from: no dream '${id}'`);
    assert.equal((await app.inject({ url: `/api/dreams/${id}` })).statusCode, 200, 'still there for its owner');
  });

  test('GET /api/dreams: newest first, with createdAt and settings, paged with before and limit', async () => {
    const ids = [await dreamed({ steps: '1', seed: '7' }), await dreamed({ steps: '1', preset: 'eyes', size: '' })];
    const page = (await app.inject({ url: '/api/dreams?limit=2' })).json<{ dreams: Array<Record<string, unknown>> }>();
    assert.deepEqual(
      page.dreams.map((view) => view.id),
      [ids[1], ids[0]],
    );
    const [newest, older] = page.dreams;
    assert.deepEqual(newest!.settings, { steps: '1', preset: 'eyes' }, 'empty fields are not settings');
    assert.deepEqual(older!.settings, { steps: '1', seed: '7' });
    assert.ok(Date.parse(newest!.createdAt as string) >= Date.parse(older!.createdAt as string));
    assert.match(newest!.createdAt as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const next = (await app.inject({ url: `/api/dreams?before=${ids[1]}&limit=1` })).json();
    assert.deepEqual(
      next.dreams.map((view: { id: string }) => view.id),
      [ids[0]],
    );
    const bad = await app.inject({ url: '/api/dreams?limit=0' });
    assert.equal(bad.statusCode, 400);
    assert.equal(errorMessage(bad), 'limit must be an integer from 1 to 200 (got 0)');
  });

  test('dream again: from=<id> dreams the result of a finished dream, with parent set', async () => {
    const first = await dreamed();
    const again = await postDream(app, { from: first, steps: '1' }, []);
    assert.equal(again.statusCode, 202, again.body);
    assert.deepEqual([again.json().parent, again.json().name], [first, 'cat.png']);
    assert.deepEqual(again.json().settings, { steps: '1' });
    await waitForDream(app, again.json().id);
    const recipe = recipeFromXmp(
      (
        await sharp((await app.inject({ url: `/api/dreams/${again.json().id}/result` })).rawPayload).metadata()
      ).xmp!.toString(),
    ) as unknown as DreamRecipe;
    const parentResult = (await app.inject({ url: `/api/dreams/${first}/result` })).rawPayload;
    assert.deepEqual(recipe.input, { name: 'cat.png', bytes: parentResult.length }, 'its photo is the first result');

    const both = await postDream(app, { from: first }, [{ name: 'cat.png', bytes: png }]);
    assert.equal(both.statusCode, 400);
    assert.equal(errorMessage(both), "send a photo or 'from', not both");
    const unknown = await postDream(app, { from: 'nope' }, []);
    assert.equal(errorMessage(unknown), "from: no dream 'nope'");
  });

  test('GET /original: the photo at the dreamed size', async () => {
    const posted = await postDream(app, { steps: '1', size: '64' }, [
      { name: 'big.png', bytes: await photoPng(128, 64) },
    ]);
    const id = posted.json().id;
    await waitForDream(app, id);
    const original = await app.inject({ url: `/api/dreams/${id}/original` });
    assert.equal(original.statusCode, 200);
    assert.equal(original.headers['content-type'], 'image/jpeg');
    const meta = await sharp(original.rawPayload).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 64, 32]);
  });

  test('share links: made by the owner, readable by anyone, withdrawn by the owner', async () => {
    const id = await dreamed();
    const shared = await app.inject({ method: 'POST', url: `/api/dreams/${id}/share` });
    assert.equal(shared.statusCode, 200);
    const { shareUrl } = shared.json<{ shareUrl: string }>();
    assert.match(shareUrl, /^\/s\/[A-Za-z0-9_-]{22}$/);
    assert.deepEqual((await app.inject({ method: 'POST', url: `/api/dreams/${id}/share` })).json(), { shareUrl });
    assert.equal((await app.inject({ url: `/api/dreams/${id}` })).json().shareUrl, shareUrl);

    const token = shareUrl.slice('/s/'.length);
    const view = await app.inject({ url: `/api/shared/${token}`, cookies: OTHER });
    assert.equal(view.statusCode, 200);
    assert.deepEqual([view.json().id, view.json().status, view.json().shareUrl], [id, 'done', undefined]);
    const result = await app.inject({ url: `/api/shared/${token}/result`, cookies: OTHER });
    assert.deepEqual([result.statusCode, result.headers['content-type']], [200, 'image/png']);
    const page = await app.inject({ url: shareUrl, cookies: OTHER });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /text\/html/);

    assert.equal((await app.inject({ method: 'DELETE', url: `/api/dreams/${id}/share` })).statusCode, 204);
    for (const url of [`/api/shared/${token}`, `/api/shared/${token}/result`]) {
      const gone = await app.inject({ url, cookies: OTHER });
      assert.equal(gone.statusCode, 404);
      assert.equal(errorMessage(gone), 'no such shared dream (the link may have been withdrawn)');
    }
    assert.equal((await app.inject({ url: `/api/dreams/${id}` })).json().shareUrl, undefined);
  });

  test('DELETE of a finished dream removes it with its files', async () => {
    const id = await dreamed();
    const deleted = await app.inject({ method: 'DELETE', url: `/api/dreams/${id}` });
    assert.deepEqual([deleted.statusCode, deleted.json().status], [200, 'done']);
    for (const url of [`/api/dreams/${id}`, `/api/dreams/${id}/result`, `/api/dreams/${id}/original`]) {
      assert.equal((await app.inject({ url })).statusCode, 404, url);
    }
  });
});

describe('limits are told before the upload is read', () => {
  let app: FastifyInstance;
  let url: string;
  let release!: () => void;
  const previews: Array<(png: Buffer, octave: number) => void> = [];
  before(async () => {
    const blocked = new Promise<void>((resolve) => (release = resolve));
    // Dreams that run until the test ends, and show the intermediate images they are given.
    const executor: DreamExecutor = async (_job, control) => {
      previews.push(control.onPreview!);
      await blocked;
      throw new Error('test over');
    };
    app = await testServer({ executor, maxQueued: 2, maxQueuedPerOwner: 2 });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    release();
    await app.close();
  });

  /** Sends the headers of a 20 MB upload and its first kilobyte, and waits for the answer without sending more. */
  async function bigUpload(owner: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
    const request = httpRequest(`${url}/api/dreams`, {
      method: 'POST',
      headers: {
        'content-type': 'multipart/form-data; boundary=x',
        'content-length': String(20 * 1024 * 1024),
        cookie: `studio_owner=${owner}`,
      },
    });
    request.on('error', () => undefined); // the server closes the connection on the unread body
    request.write(`--x\r\ncontent-disposition: form-data; name="image"; filename="big.png"\r\n\r\n${'x'.repeat(1024)}`);
    const [response] = (await once(request, 'response')) as [IncomingMessage];
    let body = '';
    for await (const chunk of response) body += chunk;
    request.destroy();
    return { status: response.statusCode!, headers: response.headers, body };
  }

  test('one browser beyond its limit gets 429, a full studio 503, both with Retry-After', async () => {
    const photo = [{ name: 'p.png', bytes: await photoPng() }];
    const running = await postDream(app, {}, photo);
    assert.equal(running.statusCode, 202);
    const preview = await app.inject({ url: `/api/dreams/${running.json().id}/preview` });
    assert.equal(preview.statusCode, 404);
    assert.equal(errorMessage(preview), `no intermediate image of dream '${running.json().id}' yet`);
    while (previews.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    previews[0]!(Buffer.from('octave 1 png'), 1);
    const shown = await app.inject({ url: `/api/dreams/${running.json().id}/preview` });
    assert.deepEqual([shown.statusCode, shown.headers['content-type'], shown.body], [200, 'image/png', 'octave 1 png']);

    assert.equal((await postDream(app, {}, photo)).statusCode, 202);
    const mine = await bigUpload(TEST_OWNER.studio_owner);
    assert.equal(mine.status, 429);
    assert.equal(mine.headers['retry-after'], '30');
    assert.equal(mine.headers.connection, 'close');
    assert.deepEqual(JSON.parse(mine.body), {
      error: 'you have 2 dreams waiting or running (limit 2); wait for one to finish',
    });

    const other = { studio_owner: 'e'.repeat(32) };
    const queued = await app.inject({
      method: 'POST',
      url: '/api/dreams',
      cookies: other,
      ...(await multipart({}, photo)),
    });
    assert.equal(queued.statusCode, 202);
    const full = await bigUpload('d'.repeat(32));
    assert.equal(full.status, 503);
    assert.equal(full.headers['retry-after'], '30');
    assert.deepEqual(JSON.parse(full.body), {
      error: 'the studio is busy (2 dreams waiting); try again in a few minutes',
    });
  });
});
