import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { readImage } from '../../../src/node/image/read.js';
import { pngHeaderOnly, tempFolder } from './fixtures.js';
import { heicBrandsOnly, heicContainer } from './heic-fixture.js';

const solid = (width: number, height: number, colour: { r: number; g: number; b: number; alpha?: number }) =>
  sharp({ create: { width, height, channels: colour.alpha === undefined ? 3 : 4, background: colour } });

/** RGB of pixel (x, y). */
const pixel = (image: { width: number; data: Float32Array }, x: number, y: number) => [
  ...image.data.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3),
];

describe('readImage', () => {
  it('applies EXIF orientation', async () => {
    // 40x20 stored, left half red and right half blue; orientation 6 means "rotate 90° clockwise".
    const stored = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#0000ff' } })
      .composite([{ input: await solid(20, 20, { r: 255, g: 0, b: 0 }).png().toBuffer(), left: 0, top: 0 }])
      .withMetadata({ orientation: 6 })
      .jpeg({ quality: 95 })
      .toBuffer();
    const { image, width, height, originalWidth, originalHeight } = await readImage(stored);
    assert.deepEqual([width, height, originalWidth, originalHeight], [20, 40, 20, 40]);
    const [topR, , topB] = pixel(image, 10, 5);
    const [bottomR, , bottomB] = pixel(image, 10, 35);
    assert.ok((topR as number) > 200 && (topB as number) < 50, 'red on top after rotation');
    assert.ok((bottomB as number) > 200 && (bottomR as number) < 50, 'blue at the bottom after rotation');
  });

  it('keeps alpha separately and leaves it out for opaque images', async () => {
    const translucent = await solid(4, 4, { r: 10, g: 20, b: 30, alpha: 0.5 }).png().toBuffer();
    const read = await readImage(translucent);
    assert.deepEqual(pixel(read.image, 0, 0), [10, 20, 30]);
    assert.deepEqual([...(read.alpha ?? [])], new Array(16).fill(128));
    const opaque = await solid(4, 4, { r: 10, g: 20, b: 30, alpha: 1 }).png().toBuffer();
    assert.equal((await readImage(opaque)).alpha, undefined);
  });

  it('reads 16-bit PNGs with their full precision', async () => {
    const samples = Uint16Array.from([0, 257, 65535, 1000, 30001, 12345]);
    const png16 = await sharp(samples, { raw: { width: 2, height: 1, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    const { image } = await readImage(png16);
    assert.deepEqual(
      [...image.data],
      [...samples].map((v) => Math.fround(v / 257)),
    );
    assert.ok(!Number.isInteger(image.data[3]), 'between 8-bit steps');
  });

  it('converts CMYK JPEGs to sRGB', async () => {
    const cmyk = await solid(8, 8, { r: 200, g: 30, b: 40 })
      .toColourspace('cmyk')
      .withIccProfile('cmyk')
      .jpeg({ quality: 100 })
      .toBuffer();
    assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');
    const { image } = await readImage(cmyk);
    assert.equal(image.data.length, 8 * 8 * 3);
    pixel(image, 4, 4).forEach((v, i) => assert.ok(Math.abs(v - [200, 30, 40][i]!) <= 8, `channel ${i}: ${v}`));
  });

  it('converts images with a wide-gamut ICC profile to sRGB', async () => {
    const p3 = await solid(4, 4, { r: 200, g: 30, b: 40 }).withIccProfile('p3').png().toBuffer();
    const stored = await sharp(p3, { ignoreIcc: true }).raw().toBuffer();
    assert.notDeepEqual([...stored.subarray(0, 3)], [200, 30, 40], 'the file holds Display P3 values');
    const { image } = await readImage(p3);
    pixel(image, 1, 1).forEach((v, i) => assert.ok(Math.abs(v - [200, 30, 40][i]!) <= 1, `channel ${i}: ${v}`));
  });

  it('reads greyscale as RGB', async () => {
    const grey = await solid(3, 3, { r: 90, g: 90, b: 90 }).toColourspace('b-w').png().toBuffer();
    assert.equal((await sharp(grey).metadata()).channels, 1);
    assert.deepEqual(pixel((await readImage(grey)).image, 2, 2), [90, 90, 90]);
  });

  it('reads the first frame of an animated GIF', async () => {
    const red = await solid(6, 6, { r: 255, g: 0, b: 0 }).png().toBuffer();
    const blue = await solid(6, 6, { r: 0, g: 0, b: 255 }).png().toBuffer();
    const gif = await sharp([red, blue], { join: { animated: true } })
      .gif()
      .toBuffer();
    assert.equal((await sharp(gif).metadata()).pages, 2);
    const read = await readImage(gif);
    assert.deepEqual([read.format, read.width, read.height], ['gif', 6, 6]);
    assert.deepEqual(pixel(read.image, 3, 3), [255, 0, 0]);
  });

  it('downscales to maxSize on the long side, never up', async () => {
    const photo = await solid(300, 120, { r: 1, g: 2, b: 3 }).png().toBuffer();
    const small = await readImage(photo, { maxSize: 100 });
    assert.deepEqual([small.width, small.height, small.originalWidth, small.originalHeight], [100, 40, 300, 120]);
    assert.equal(small.image.data.length, 100 * 40 * 3);
    const same = await readImage(photo, { maxSize: 1024 });
    assert.deepEqual([same.width, same.height], [300, 120]);
  });

  it('refuses a huge image from its header, before decoding', async () => {
    const path = join(await tempFolder(), 'huge.png');
    await writeFile(path, pngHeaderOnly(50000, 50000));
    await assert.rejects(readImage(path), {
      message: `cannot read ${path}: 50000x50000 pixels is too large (limit 100 megapixels)`,
    });
    await assert.rejects(
      readImage(await solid(20, 10, { r: 0, g: 0, b: 0 }).png().toBuffer(), { maxPixels: 199, name: 'x.png' }),
      {
        message: 'cannot read x.png: 20x10 pixels is too large (limit 199 pixels)',
      },
    );
  });

  it('gives one clear line for files that are not images', async () => {
    const dir = await tempFolder();
    const jpeg = await sharp(Buffer.from(Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 7919) % 251)), {
      raw: { width: 64, height: 64, channels: 3 },
    })
      .jpeg()
      .toBuffer();
    const cases: [string, Buffer | string][] = [
      ['truncated.jpg', jpeg.subarray(0, jpeg.length >> 1)],
      ['corrupt.png', Buffer.concat([pngHeaderOnly(4, 4).subarray(0, 40), Buffer.alloc(30, 0xab)])],
      ['text.jpg', 'this is not a photo\n'],
      ['drawing.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'],
    ];
    for (const [name, contents] of cases) {
      const path = join(dir, name);
      await writeFile(path, contents);
      await assert.rejects(
        readImage(path),
        { message: `cannot read ${path}: not a supported image (corrupt or truncated?)` },
        name,
      );
    }
    await writeFile(join(dir, 'empty.jpg'), '');
    await assert.rejects(readImage(join(dir, 'empty.jpg')), {
      message: `cannot read ${join(dir, 'empty.jpg')}: the file is empty`,
    });
    await assert.rejects(readImage(join(dir, 'missing.jpg')), {
      message: `cannot read ${join(dir, 'missing.jpg')}: no such file`,
    });
    await assert.rejects(readImage(dir), { message: `cannot read ${dir}: it is a folder` });
  });

  it('names HEIC photos, which sharp parses but cannot decode, and still reads AVIF', async () => {
    const heic = heicContainer(16, 8);
    // libheif reads the container and finds the HEVC image: only the decoder is missing.
    const meta = await sharp(heic).metadata();
    assert.deepEqual([meta.format, meta.compression, meta.width, meta.height], ['heif', 'hevc', 16, 8]);
    const message = 'cannot read IMG_0001.HEIC: HEIC/HEIF photos are not supported; convert it to JPEG or PNG';
    await assert.rejects(readImage(heic, { name: 'IMG_0001.HEIC' }), { message });
    await assert.rejects(readImage(heicBrandsOnly(), { name: 'IMG_0001.HEIC' }), { message });
    const avif = await solid(16, 8, { r: 30, g: 60, b: 90 }).avif().toBuffer();
    const read = await readImage(avif);
    assert.deepEqual([read.format, read.width, read.height], ['heif', 16, 8]);
  });
});
