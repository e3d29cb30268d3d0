/**
 * The explore API on the real bundled InceptionV3 (thumbnails of 2 steps at 80 px, the smallest it
 * takes), with the fake network for the layer strip's dreams.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import { installedModelCatalog } from '../../../src/apps/server/catalog.js';
import { errorMessage, examplePhoto, type FilePart, multipart, photoPng, testServer } from './helpers.js';

/** InceptionV3's key layers: where its branches join. */
const KEY_LAYERS = ['mixed0', 'mixed1', 'mixed2', 'mixed3', 'mixed4', 'mixed5'];

let dataDir: string;
let app: FastifyInstance;
const catalog = installedModelCatalog();
const server = () => testServer({ catalog, dataDir, exploreSettings: { steps: 2 } });

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'explore-api-'));
  app = await server();
});

after(async () => {
  await app.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Asks for a thumbnail until it is rendered; returns the answers. */
async function pollThumbnail(url: string): Promise<LightMyRequestResponse[]> {
  const answers: LightMyRequestResponse[] = [];
  for (;;) {
    const response = await app.inject({ url });
    answers.push(response);
    if (response.statusCode !== 202) return answers;
    assert.equal(response.headers['retry-after'], '1');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const cat = () => examplePhoto('cat', 200);

test('models and layers: low to high, with shapes, plain words and the key layers', async () => {
  const models = (await app.inject({ url: '/api/explore/models' })).json<{ models: { name: string }[] }>();
  assert.ok(models.models.some((m) => m.name === 'inception_v3'));
  const response = await app.inject({ url: '/api/explore/inception_v3/layers' });
  assert.equal(response.statusCode, 200);
  const body = response.json<{
    model: string;
    bands: string;
    layers: { name: string; shape: number[]; channels: number; look: string; key: boolean }[];
  }>();
  assert.equal(body.model, 'inception_v3');
  assert.match(body.bands, /^by relative depth: .* \(strokes, textures, patterns, parts\)$/);
  const names = body.layers.map((l) => l.name);
  assert.deepEqual(
    body.layers.filter((l) => l.key).map((l) => l.name),
    KEY_LAYERS,
  );
  assert.ok(names.indexOf('mixed0') < names.indexOf('mixed4'));
  assert.deepEqual(
    body.layers.find((l) => l.name === 'mixed4'),
    {
      name: 'mixed4',
      shape: [768, 17, 17],
      channels: 768,
      look: 'parts',
      key: true,
    },
  );
  assert.equal(body.layers[0]!.look, 'strokes');
  assert.equal(body.layers.at(-1)!.look, 'parts');
  // Depth bands never go back down.
  const order = ['strokes', 'textures', 'patterns', 'parts'];
  body.layers.forEach((l, i) => i > 0 && assert.ok(order.indexOf(l.look) >= order.indexOf(body.layers[i - 1]!.look)));
});

test('a thumbnail renders once, then comes from the disk: to this server and the next', async () => {
  const url = '/api/explore/inception_v3/mixed0/channels/3.png?size=80';
  // Two askers before it is done share one render.
  const [first, second] = await Promise.all([app.inject({ url }), app.inject({ url })]);
  assert.deepEqual([first.statusCode, second.statusCode], [202, 202]);
  assert.equal(first.json<{ position: number }>().position, second.json<{ position: number }>().position);
  const answers = await pollThumbnail(url);
  const png = answers.at(-1)!;
  assert.equal(png.statusCode, 200);
  assert.equal(png.headers['content-type'], 'image/png');
  assert.deepEqual(
    await sharp(png.rawPayload)
      .metadata()
      .then((m) => [m.format, m.width, m.height]),
    ['png', 80, 80],
  );

  const folder = join(dataDir, 'atlas', 'inception_v3', 'mixed0');
  const files = await readdir(folder);
  assert.equal(files.length, 1, `one render, one file: ${files.join(', ')}`);
  assert.match(files[0]!, /^0003-[0-9a-f]{12}\.png$/);
  const written = (await stat(join(folder, files[0]!))).mtimeMs;

  const again = await app.inject({ url });
  assert.equal(again.statusCode, 200, 'the second request is a cache hit');
  assert.deepEqual(again.rawPayload, png.rawPayload);
  const next = await server();
  try {
    const fromDisk = await next.inject({ url });
    assert.equal(fromDisk.statusCode, 200, 'another server with the same data folder renders nothing');
    assert.deepEqual(fromDisk.rawPayload, png.rawPayload);
  } finally {
    await next.close();
  }
  assert.equal((await stat(join(folder, files[0]!))).mtimeMs, written);
  assert.equal((await readdir(folder)).length, 1);
});

test('bad thumbnail requests get one line and no render', async () => {
  const cases: [string, number, RegExp][] = [
    ['/api/explore/no_such_net/layers', 404, /^unknown model 'no_such_net'$/],
    ['/api/explore/no_such_net/mixed0/channels/0.png', 404, /^unknown model 'no_such_net'$/],
    ['/api/explore/inception_v3/mixed9/channels/0.png', 404, /^model inception_v3 has no layer 'mixed9' to explore$/],
    [
      '/api/explore/inception_v3/mixed0/channels/256.png',
      404,
      /^channel 256 is out of range: layer 'mixed0' has channels 0 to 255$/,
    ],
    ['/api/explore/inception_v3/mixed0/channels/two.png', 400, /^channel must be a whole number/],
    [
      '/api/explore/inception_v3/mixed0/channels/1.png?size=40',
      400,
      /^size must be an integer from 64 to 256 \(got 40\)$/,
    ],
    ['/api/explore/inception_v3/mixed0/channels/1.png?size=big', 400, /^size must be an integer/],
  ];
  for (const [url, status, message] of cases) {
    const response = await app.inject({ url });
    assert.equal(response.statusCode, status, url);
    assert.match(errorMessage(response), message, url);
  }
  assert.deepEqual(await readdir(join(dataDir, 'atlas', 'inception_v3')).catch(() => []), ['mixed0']);
});

test('explain: the top channels by activation, with heat maps over the photo and thumbnail URLs', async () => {
  const body = await multipart({ model: 'inception_v3', layer: 'mixed4', top: '3' }, [
    { name: 'cat.jpg', bytes: await cat(), type: 'image/jpeg' },
  ]);
  const response = await app.inject({ method: 'POST', url: '/api/explore/explain', ...body });
  assert.equal(response.statusCode, 200, response.body);
  const answer = response.json<{
    model: string;
    layer: string;
    look: string;
    width: number;
    height: number;
    channels: { channel: number; activation: number; heatMap: string; thumbnail: string }[];
  }>();
  assert.deepEqual([answer.model, answer.layer, answer.look, answer.width], ['inception_v3', 'mixed4', 'parts', 200]);
  assert.equal(answer.channels.length, 3);
  answer.channels.forEach((c, i) => i > 0 && assert.ok(c.activation <= answer.channels[i - 1]!.activation));
  for (const c of answer.channels) {
    assert.ok(c.activation > 0);
    assert.equal(c.thumbnail, `/api/explore/inception_v3/mixed4/channels/${c.channel}.png?size=128`);
    const [, base64] = /^data:image\/jpeg;base64,(.+)$/.exec(c.heatMap)!;
    const meta = await sharp(Buffer.from(base64!, 'base64')).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', answer.width, answer.height]);
  }
});

test('explain and strip refuse bad forms in one line', async () => {
  const photo: FilePart = { name: 'cat.jpg', bytes: await cat(), type: 'image/jpeg' };
  const tiny: FilePart = { name: 'tiny.png', bytes: await photoPng(40, 32) };
  const cases: [string, Record<string, string>, FilePart, number, RegExp][] = [
    [
      'explain',
      { model: 'inception_v3', layer: 'mixed4', top: '17' },
      photo,
      400,
      /^top must be an integer from 1 to 16 \(got 17\)$/,
    ],
    ['explain', { model: 'inception_v3' }, photo, 400, /^no layer: send it in the 'layer' field$/],
    ['explain', { model: 'inception_v3', layer: 'mixed7' }, photo, 404, /^model inception_v3 has no layer 'mixed7'/],
    ['explain', { model: 'nope', layer: 'mixed4' }, photo, 404, /^unknown model 'nope'$/],
    [
      'explain',
      { model: 'inception_v3', layer: 'mixed4' },
      tiny,
      400,
      /^photo must be at least 43 pixels on each side for inception_v3 \(got '40x32'\)$/,
    ],
    ['explain', { model: 'inception_v3', layer: 'mixed4', colour: 'red' }, photo, 400, /^unknown field 'colour'/],
    ['strip', { model: 'inception_v3', steps: '11' }, photo, 400, /^steps must be an integer from 1 to 10 \(got 11\)$/],
    [
      'strip',
      { model: 'inception_v3', size: '512' },
      photo,
      400,
      /^size must be an integer from 64 to 256 \(got 512\)$/,
    ],
  ];
  for (const [route, fields, file, status, message] of cases) {
    const body = await multipart(fields, [file]);
    const response = await app.inject({ method: 'POST', url: `/api/explore/${route}`, ...body });
    assert.equal(response.statusCode, status, `${route} ${JSON.stringify(fields)}`);
    assert.match(errorMessage(response), message);
  }
  const none = await multipart({ model: 'inception_v3' }, []);
  const response = await app.inject({ method: 'POST', url: '/api/explore/strip', ...none });
  assert.equal(response.statusCode, 400);
  assert.equal(errorMessage(response), "no photo: send it in the 'image' field");
});

test('the layer strip streams one dream per key layer, lowest first', async () => {
  const body = await multipart({ model: 'inception_v3', size: '96', steps: '2' }, [
    { name: 'cat.jpg', bytes: await cat(), type: 'image/jpeg' },
  ]);
  const response = await app.inject({ method: 'POST', url: '/api/explore/strip', ...body });
  assert.equal(response.statusCode, 200);
  assert.match(String(response.headers['content-type']), /^application\/x-ndjson/);
  const [head, ...frames] = response.body
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const layers = KEY_LAYERS;
  assert.deepEqual(
    (head!.layers as { layer: string }[]).map((l) => l.layer),
    layers,
  );
  assert.deepEqual([head!.width, head!.height], [96, 64]);
  assert.deepEqual(
    frames.map((f) => f.layer),
    layers,
  );
  for (const frame of frames) {
    const [, base64] = /^data:image\/png;base64,(.+)$/.exec(frame.image as string)!;
    const meta = await sharp(Buffer.from(base64!, 'base64')).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 96, 64]);
  }
});

test('a thumbnail further back in line is told to ask again later, so a screenful keeps under the request limit', async () => {
  const url = (channel: number) => `/api/explore/inception_v3/mixed1/channels/${channel}.png?size=80`;
  const ask = async (channel: number) => {
    const response = await app.inject({ url: url(channel) });
    assert.equal(response.statusCode, 202);
    const { position } = response.json<{ position: number }>();
    assert.equal(response.headers['retry-after'], String(Math.min(30, 1 + position)));
    return position;
  };
  // The lane renders the newest request first: each new one goes ahead of the older ones. (Last in
  // this file: the thumbnails it leaves in line would be ahead of another test's.)
  for (const channel of [1, 2, 3, 4]) await ask(channel);
  const [oldest, newest] = [await ask(2), await ask(4)];
  assert.ok(oldest > newest, `the oldest waits at ${oldest}, the newest at ${newest}`);
});
