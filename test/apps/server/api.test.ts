import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import type { DreamRecipe } from '../../../src/apps/shared/recipe.js';
import { recipeFromXmp } from '../../../src/node/image/recipe.js';
import { errorMessage, fakeBackendModule, photoPng, postDream, testServer, waitForDream } from './helpers.js';

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
    for (const asset of ['/app.js', '/style.css']) assert.equal((await app.inject({ url: asset })).statusCode, 200);
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
      'a preset with another model',
      async () => [{ model: 'tiny_net', preset: 'eyes' }, photo()],
      400,
      /^preset must be used with model 'inception_v3' \(got model 'tiny_net'\)$/,
    ],
    [
      'an unknown layer',
      async () => [{ layer: 'mixed9' }, photo()],
      400,
      /model inception_v3 has no dreamable layer 'mixed9'/,
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
