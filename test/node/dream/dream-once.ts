/**
 * A script that calls dream() once and returns, for dream-worker.test.ts: the process must then
 * exit by itself, although the dream worker thread lives on. Argument: the backend module URL.
 */
import { createRgbImage } from '../../../src/core/image/rgb.js';
import { dream } from '../../../src/node/dream/index.js';

const image = createRgbImage(24, 16, new Float32Array(24 * 16 * 3).fill(100));
const dreamed = await dream(
  image,
  { octaves: 1, steps: 1, layers: [{ name: 'a', weight: 1 }] },
  {},
  {
    backendModule: process.argv[2]!,
  },
);
process.stdout.write(`dreamed ${dreamed.width}x${dreamed.height}\n`);
