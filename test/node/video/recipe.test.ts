import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ffmetadataTags,
  gifComment,
  gifWithRecipe,
  isRenderOutput,
  readRenderRecipe,
} from '../../../src/node/video/recipe.js';
import { prepareZoom, renderZoom } from '../../../src/node/video/zoom.js';
import { countFrames } from './clips.js';
import { driftingDreamer } from './fakes.js';
import { zoomOptions } from './zoom-options.js';

/** Text that needs every escape: ffmetadata's "=;#\\", JSON's quotes, non-ASCII, and more than one GIF sub-block. */
const recipe = {
  program: 'inceptionism',
  note: 'a=b; #c \\d "e" Café こんにちは 🐶',
  long: 'x'.repeat(600),
};

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deepdream-render-recipe-'));
});
after(() => rm(dir, { recursive: true, force: true }));

describe('render recipes', () => {
  for (const name of ['zoom.mp4', 'zoom.mov', 'zoom.webm', 'zoom.gif']) {
    it(`are stored in ${name} and read back, the video intact`, async () => {
      const output = join(dir, name);
      await renderZoom(await prepareZoom(zoomOptions(output, { frames: 3, recipe })), driftingDreamer);
      assert.deepEqual(await readRenderRecipe(output), recipe);
      assert.equal(await countFrames(output), 3);
    });
  }

  it('are stored beside a PNG sequence, found from its folder, pattern or file', async () => {
    const pattern = join(dir, 'frames', 'f%03d.png');
    await renderZoom(await prepareZoom(zoomOptions(pattern, { frames: 3, recipe })), driftingDreamer);
    assert.equal(JSON.parse(await readFile(join(dir, 'frames', 'recipe.json'), 'utf8')).long, recipe.long);
    for (const path of [pattern, join(dir, 'frames'), join(dir, 'frames', 'recipe.json')]) {
      assert.deepEqual(await readRenderRecipe(path), recipe, path);
    }
  });

  it('are absent from outputs rendered without one', async () => {
    for (const name of ['plain.mp4', 'plain.gif', 'plain/']) {
      const output = join(dir, name);
      await renderZoom(await prepareZoom(zoomOptions(output, { frames: 3 })), driftingDreamer);
      assert.equal(await readRenderRecipe(output), undefined, name);
    }
  });

  it('refuse files that are not render outputs, in one line', async () => {
    const notVideo = join(dir, 'notes.mp4');
    await writeFile(notVideo, 'hello');
    await assert.rejects(readRenderRecipe(notVideo), /^Error: cannot read video .*notes\.mp4: Invalid data found/);
    await assert.rejects(readRenderRecipe(join(dir, 'missing.webm')), /cannot read .*missing\.webm: no such file/);
    const notGif = join(dir, 'notes.gif');
    await writeFile(notGif, 'GIF89a and then nonsense');
    await assert.rejects(readRenderRecipe(notGif), /^Error: cannot read .*notes\.gif: damaged GIF file$/);
    await assert.rejects(readRenderRecipe(join(dir, 'photo.jpg')), /photo\.jpg is not a render output/);
    assert.equal(await isRenderOutput(join(dir, 'photo.jpg')), false);
    assert.equal(await isRenderOutput(dir), true);
  });

  it('go into a GIF as a comment extension of ASCII sub-blocks before the trailer', () => {
    const gif = Buffer.from([
      ...Buffer.from('GIF89a'),
      ...[1, 0, 1, 0, 0x80, 0, 0], // 1x1, a global colour table of 2 entries
      ...[0, 0, 0, 255, 255, 255],
      ...[0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4c, 0x01, 0], // one pixel
      0x3b,
    ]);
    assert.equal(gifComment(gif), undefined);
    const withRecipe = gifWithRecipe(gif, recipe);
    assert.equal(withRecipe.at(-1), 0x3b);
    assert.deepEqual(withRecipe.subarray(gif.length - 1, gif.length + 2), Buffer.from([0x21, 0xfe, 255]));
    const comment = gifComment(withRecipe)!;
    assert.match(comment, /^[\x20-\x7e]+$/);
    assert.deepEqual(JSON.parse(comment), recipe);
  });

  it("read ffmpeg's ffmetadata escapes", () => {
    const tags = ffmetadataTags(
      ';FFMETADATA1\nCOMMENT=a\\=b\\;\\#c\\\\d\\\nnext line\nencoder=x\n[STREAM]\ncomment=no\n',
    );
    assert.deepEqual(
      [...tags],
      [
        ['comment', 'a=b;#c\\d\nnext line'],
        ['encoder', 'x'],
      ],
    );
  });
});
