/**
 * Renders the pictures in docs/: each example photo beside its default dream, one photo dreamed
 * with each gradient normalization, and one photo dreamed at 1024 and 2500 px (the 2500-px dreams
 * take about ten minutes each on two cores). Run: node --import tsx scripts/make-readme-images.ts
 */
import sharp, { type Sharp } from 'sharp';
import { dream, readImage, type DreamOptionsInput, type RgbImage } from '../src/index.js';

const SIZE = 384;
const PHOTOS = ['cat', 'astronaut', 'coffee', 'rocket'];

const toPng = (image: RgbImage): Promise<Buffer> => {
  const bytes = Buffer.alloc(image.data.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.max(0, Math.min(255, Math.round(image.data[i]!)));
  return sharp(bytes, { raw: { width: image.width, height: image.height, channels: 3 } })
    .png()
    .toBuffer();
};

/** Pictures side by side in a row, each scaled to `height`, 8 px apart. */
async function row(pictures: Buffer[], height: number): Promise<Sharp> {
  const scaled = await Promise.all(
    pictures.map((p) => sharp(p).resize({ height }).toBuffer({ resolveWithObject: true })),
  );
  const width = scaled.reduce((sum, s) => sum + s.info.width, 0) + 8 * (scaled.length - 1);
  let left = 0;
  const layers = scaled.map((s) => {
    const layer = { input: s.data, left, top: 0 };
    left += s.info.width + 8;
    return layer;
  });
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite(layers);
}

/** The example rocket photo enlarged to `width`, as a JPEG file of that size would be read. */
async function rocketAt(width: number): Promise<RgbImage> {
  const jpeg = await sharp('examples/rocket.jpg')
    .resize({ width, kernel: 'lanczos3' })
    .jpeg({ quality: 92 })
    .toBuffer();
  return (await readImage(jpeg)).image;
}

async function dreamed(photo: string, options: DreamOptionsInput): Promise<Buffer> {
  const { image } = await readImage(`examples/${photo}.jpg`, { maxSize: SIZE * 1.5 });
  return toPng(await dream(image, options));
}

for (const photo of PHOTOS) {
  const original = await sharp(`examples/${photo}.jpg`).png().toBuffer();
  await (await row([original, await dreamed(photo, {})], SIZE)).jpeg({ quality: 85 }).toFile(`docs/${photo}-dream.jpg`);
  console.log(`docs/${photo}-dream.jpg`);
}
const norms = await Promise.all(
  (['meanAbs', 'std', 'laplacian'] as const).map((normalization) => dreamed('cat', { normalization })),
);
await (await row(norms, SIZE)).jpeg({ quality: 85 }).toFile('docs/normalizations.jpg');
console.log('docs/normalizations.jpg');

// The octave count follows the photo's size: 4 at 1024 px, 7 at 2500 px (forced to 4 in the middle).
const big = await rocketAt(2500);
const sizes = [await dream(await rocketAt(1024), {}), await dream(big, { octaves: 4 }), await dream(big, {})];
await (await row(await Promise.all(sizes.map(toPng)), 330)).jpeg({ quality: 80 }).toFile('docs/octaves.jpg');
console.log('docs/octaves.jpg');
