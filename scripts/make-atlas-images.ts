/**
 * Renders the feature-visualization pictures in docs/: channels 0-7 of InceptionV3 mixed0, mixed2
 * and mixed4 at the default settings, the explanation of examples/cat.jpg, and dreams from noise
 * (the default layer, then mixed4 channel 97) with each parameterization. Run: node --import tsx scripts/make-atlas-images.ts [ATLAS_FOLDER]
 * (the atlas folder keeps the renders, so a second run takes seconds).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import sharp from 'sharp';
import {
  dream,
  explainPhoto,
  explanationMontage,
  montage,
  noiseImage,
  readImage,
  renderAtlas,
  type RgbImage,
} from '../src/index.js';
import type { AtlasManifest } from '../src/node/atlas/manifest.js';

const atlas = process.argv[2] ?? join(tmpdir(), 'inceptionism-readme-atlas');
const LAYERS = ['mixed0', 'mixed2', 'mixed4'];
const CHANNELS = [0, 1, 2, 3, 4, 5, 6, 7];
const THUMBNAIL = 96;

const jpeg = (image: RgbImage, path: string): Promise<unknown> => {
  const bytes = Buffer.from(image.data.map((v) => Math.max(0, Math.min(255, Math.round(v)))));
  return sharp(bytes, { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality: 82 })
    .toFile(path);
};

const rows: RgbImage[] = [];
for (const layer of LAYERS) {
  await renderAtlas({ layer, channels: CHANNELS, output: atlas });
  const manifest = JSON.parse(readFileSync(join(atlas, 'manifest.json'), 'utf8')) as AtlasManifest;
  const entry = manifest.layers.find((l) => l.layer === layer)!;
  const thumbnails: RgbImage[] = [];
  for (const c of CHANNELS) {
    const file = entry.channels.find((e) => e.channel === c)!.image;
    thumbnails.push((await readImage(join(atlas, file), { maxSize: THUMBNAIL })).image);
  }
  rows.push(montage(thumbnails, { columns: CHANNELS.length }));
}
await jpeg(montage(rows, { columns: 1, gap: 0 }), 'docs/atlas-layers.jpg');
console.log('docs/atlas-layers.jpg');

const { image: cat } = await readImage('examples/cat.jpg', { maxSize: 384 });
await jpeg(explanationMontage(await explainPhoto(cat, { layer: 'mixed4', top: 6, atlas })), 'docs/explain-cat.jpg');
console.log('docs/explain-cat.jpg');

const noise = noiseImage(384, 288, 0);
const dreams: RgbImage[] = [];
for (const channels of [undefined, [97]])
  for (const param of ['pixel', 'fourier'] as const)
    dreams.push(await dream(noise, { param, ...(channels && { layers: [{ name: 'mixed4', weight: 1 }], channels }) }));
await jpeg(montage(dreams, { columns: 2, gap: 8 }), 'docs/noise-params.jpg');
console.log('docs/noise-params.jpg');
