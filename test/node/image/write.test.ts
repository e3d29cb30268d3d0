import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { readImage } from '../../../src/node/image/read.js';
import { createRgbImage } from '../../../src/core/image/rgb.js';
import { writeImage } from '../../../src/node/image/write.js';
import { gradientImage, maxAbsDifference, meanAbsDifference, tempFolder } from './fixtures.js';

describe('writeImage', () => {
  const image = gradientImage(48, 32);

  for (const [extension, format] of [
    ['png', 'png'],
    ['tif', 'tiff'],
    ['tiff', 'tiff'],
  ] as const) {
    it(`round-trips .${extension} losslessly`, async () => {
      const path = join(await tempFolder(), `out.${extension}`);
      await writeImage(path, image);
      const back = await readImage(path);
      assert.equal(back.format, format);
      assert.deepEqual([back.width, back.height], [48, 32]);
      assert.deepEqual(back.image.data, image.data);
    });
  }

  for (const [extension, format, tolerance] of [
    ['jpg', 'jpeg', 2],
    ['jpeg', 'jpeg', 2],
    ['webp', 'webp', 3],
    ['avif', 'heif', 4],
  ] as const) {
    it(`round-trips .${extension} closely`, async () => {
      const path = join(await tempFolder(), `out.${extension}`);
      await writeImage(path, image);
      const back = await readImage(path);
      assert.equal(back.format, format);
      assert.deepEqual([back.width, back.height], [48, 32]);
      assert.ok(meanAbsDifference(back.image.data, image.data) < tolerance);
    });
  }

  it('rounds to the nearest 8-bit value and clamps', async () => {
    const values = [-20, 0.4, 12.5, 12.49, 254.6, 300, Number.NaN, 99.5, 7];
    const path = join(await tempFolder(), 'round.png');
    await writeImage(path, createRgbImage(3, 1, Float32Array.from(values)));
    const back = await readImage(path);
    assert.deepEqual([...back.image.data], [0, 0, 13, 12, 255, 255, 0, 100, 7]);
  });

  it('re-attaches alpha in PNG, WebP and TIFF', async () => {
    const dir = await tempFolder();
    const alpha = new Float32Array(48 * 32).map((_, i) => (i % 48) * 5);
    for (const extension of ['png', 'webp', 'tiff']) {
      const path = join(dir, `alpha.${extension}`);
      await writeImage(path, image, { alpha });
      const back = await readImage(path);
      assert.ok(back.alpha, `${extension} keeps alpha`);
      assert.ok(maxAbsDifference(back.alpha, alpha) <= (extension === 'webp' ? 4 : 0), extension);
    }
  });

  it('drops alpha for JPEG, which cannot store it', async () => {
    const path = join(await tempFolder(), 'alpha.jpg');
    await writeImage(path, image, { alpha: new Float32Array(48 * 32).fill(100) });
    const meta = await sharp(path).metadata();
    assert.equal(meta.channels, 3);
    assert.equal((await readImage(path)).alpha, undefined);
  });

  it('refuses an unknown extension without writing anything', async () => {
    const dir = await tempFolder();
    await assert.rejects(
      writeImage(join(dir, 'out.bmp'), image),
      /cannot write .*out\.bmp: unknown image extension \(use \.png/,
    );
    await assert.rejects(writeImage(join(dir, 'out'), image), /unknown image extension/);
    assert.deepEqual(await readdir(dir), []);
  });

  it('refuses alpha of the wrong size', async () => {
    const path = join(await tempFolder(), 'a.png');
    await assert.rejects(writeImage(path, image, { alpha: new Float32Array(5) }), /alpha has 5 values/);
  });

  it('says why an output path cannot be written and leaves no partial file', async () => {
    const dir = await tempFolder();
    await assert.rejects(
      writeImage(join(dir, 'missing', 'out.png'), image),
      /cannot write .*out\.png: folder .*missing does not exist/,
    );
    await writeFile(join(dir, 'file'), 'x');
    await assert.rejects(
      writeImage(join(dir, 'file', 'out.png'), image),
      /cannot write .*out\.png: .*file is not a folder/,
    );
    await mkdir(join(dir, 'folder.png'));
    await assert.rejects(writeImage(join(dir, 'folder.png'), image), /cannot write .*folder\.png: it is a folder/);
    assert.deepEqual((await readdir(dir)).sort(), ['file', 'folder.png']);
    assert.deepEqual(await readdir(join(dir, 'folder.png')), []);
  });

  it('replaces an existing file whole', async () => {
    const path = join(await tempFolder(), 'out.png');
    await writeFile(path, 'old contents');
    await writeImage(path, image);
    assert.deepEqual((await readImage(path)).image.data, image.data);
  });
});
