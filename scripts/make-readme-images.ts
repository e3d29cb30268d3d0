/**
 * Renders the pictures in docs/: each example photo beside its default dream, and one photo
 * dreamed with each gradient normalization. Run: node --import tsx scripts/make-readme-images.ts
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
