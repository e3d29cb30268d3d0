/** `renderAtlas`: images, manifest and page; resuming; refusals before any work. */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LoadedModel } from '../../../src/core/models/types.js';
import { renderAtlas, type AtlasOptions } from '../../../src/node/atlas/atlas.js';
import type { AtlasManifest } from '../../../src/node/atlas/manifest.js';
import { readImage } from '../../../src/node/image/read.js';
import { loadModel } from '../../../src/node/models/index.js';

/** Small and quick: the smallest images InceptionV3 takes, two steps. */
const LIGHT = { layer: 'mixed0', size: 48, steps: 2, batch: 2 } as const;

const manifestOf = async (folder: string): Promise<AtlasManifest> =>
  JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8')) as AtlasManifest;

describe('renderAtlas', () => {
  let dir = '';
  let model: LoadedModel;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'inceptionism-atlas-'));
    model = await loadModel('inception_v3');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('writes one image per channel, a manifest and a page that embeds it', async () => {
    const output = join(dir, 'first');
    const progress: number[] = [];
    const result = await renderAtlas(
      { ...LIGHT, model, channels: [3, 0, 7], output },
      { onProgress: (p) => progress.push(p.done) },
    );
    assert.deepEqual(
      { ...result, page: result.page.slice(output.length) },
      { page: '/index.html', model: 'inception_v3', layer: 'mixed0', channels: 3, rendered: 3, cached: 0 },
    );
    assert.deepEqual(progress, [0, 2, 3]);
    const manifest = await manifestOf(output);
    const [entry] = manifest.layers;
    assert.deepEqual(
      [entry?.model, entry?.layer, entry?.shape, entry?.look, entry?.settings.steps],
      ['inception_v3', 'mixed0', [256, 35, 35], 'strokes', 2],
    );
    assert.deepEqual(
      entry?.channels.map((c) => c.channel),
      [0, 3, 7],
    );
    for (const { image } of entry!.channels) {
      const { image: read } = await readImage(join(output, image));
      assert.deepEqual([read.width, read.height], [48, 48]);
    }
    const page = await readFile(result.page, 'utf8');
    assert.ok(page.includes(`"image":"${entry!.channels[0]!.image}"`), 'the manifest is inside the page');
  });

  it('a second run of the same command renders nothing; other settings render anew', async () => {
    const output = join(dir, 'again');
    await renderAtlas({ ...LIGHT, model, channels: [1, 2], output });
    const again = await renderAtlas({ ...LIGHT, model, channels: [1, 2], output });
    assert.deepEqual([again.rendered, again.cached], [0, 2]);
    const otherSeed = await renderAtlas({ ...LIGHT, model, channels: [1, 2], output, seed: 5 });
    assert.deepEqual([otherSeed.rendered, otherSeed.cached], [2, 0]);
    // The batch only changes how many images are made at once, not the images.
    const otherBatch = await renderAtlas({ ...LIGHT, model, channels: [1, 2], output, seed: 5, batch: 1 });
    assert.deepEqual([otherBatch.rendered, otherBatch.cached], [0, 2]);
  });

  it('an interrupted atlas continues where it stopped', async () => {
    const output = join(dir, 'resumed');
    const abort = new AbortController();
    const options: AtlasOptions = { ...LIGHT, model, channels: [0, 1, 2, 3, 4], output };
    await assert.rejects(
      renderAtlas(options, {
        signal: abort.signal,
        onProgress: (p) => {
          if (p.done === 2) abort.abort(new Error('stop'));
        },
      }),
      { message: 'stop' },
    );
    assert.deepEqual(
      (await manifestOf(output)).layers[0]!.channels.map((c) => c.channel),
      [0, 1],
    );
    const resumed = await renderAtlas(options);
    assert.deepEqual([resumed.rendered, resumed.cached], [3, 2]);
  });

  it('later runs add channels to a layer; other settings replace them', async () => {
    const output = join(dir, 'added');
    await renderAtlas({ ...LIGHT, model, channels: [4, 5], output });
    await renderAtlas({ ...LIGHT, model, channels: [1, 5], output });
    const channels = async () => (await manifestOf(output)).layers[0]!.channels.map((c) => c.channel);
    assert.deepEqual(await channels(), [1, 4, 5]);
    await renderAtlas({ ...LIGHT, model, channels: [2], output, seed: 3 });
    assert.deepEqual(await channels(), [2]);
  });

  it('several layers share one page', async () => {
    const output = join(dir, 'layers');
    await renderAtlas({ ...LIGHT, model, channels: [0], output });
    await renderAtlas({ ...LIGHT, model, layer: 'mixed1', channels: [0], output });
    assert.deepEqual(
      (await manifestOf(output)).layers.map((l) => l.layer),
      ['mixed0', 'mixed1'],
    );
  });

  describe('refuses before any work, in one line', () => {
    const refused = async (options: Partial<AtlasOptions>, message: string | RegExp) => {
      const output = join(dir, `refused-${Math.random().toString(36).slice(2)}`);
      await assert.rejects(renderAtlas({ ...LIGHT, model, output, ...options }), { message });
      assert.deepEqual(await readdir(output).catch(() => []), [], 'nothing written');
    };

    it('an unknown layer', () =>
      refused(
        { layer: 'mixed44' },
        "model inception_v3 has no layer 'mixed44'; similar: mixed0, mixed1, mixed2, mixed3, mixed4, mixed5 (`deepdream layers --model inception_v3` lists all 114)",
      ));

    it('a channel out of range', () =>
      refused({ channels: [3, 256] }, "channel 256 is out of range: layer 'mixed0' has channels 0 to 255"));

    it('a layer without a spatial map', () =>
      refused(
        {
          model: { ...model, layers: [{ name: 'mixed0', shape: [1000], channels: 1000, dreamable: true }] },
        },
        "layer 'mixed0' of inception_v3 has no spatial map (shape 1000): only layers of C x H x W feature maps can be visualized",
      ));

    it('images smaller than the network takes', () =>
      refused({ size: 32 }, 'size must be at least 43 pixels for inception_v3 (got 32)'));

    it('a bad setting', () => refused({ steps: 0 }, 'steps must be an integer from 1 to 10000 (got 0)'));

    it('an output folder that cannot be written', async () => {
      const file = join(dir, 'a-file');
      await writeFile(file, '');
      await assert.rejects(renderAtlas({ ...LIGHT, model, output: join(file, 'atlas') }), {
        message: `cannot write ${join(file, 'atlas')}: ${join(file, 'atlas')} is not a folder`,
      });
      if (process.getuid?.() === 0) return; // root writes anywhere
      const locked = join(dir, 'locked');
      await renderAtlas({ ...LIGHT, model, channels: [0], output: locked });
      await chmod(locked, 0o500);
      try {
        await assert.rejects(renderAtlas({ ...LIGHT, model, channels: [1], output: locked }), {
          message: `cannot write ${locked}: permission denied in ${locked}`,
        });
      } finally {
        await chmod(locked, 0o700);
      }
    });
  });
});
