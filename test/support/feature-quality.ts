/**
 * Checks that feature visualizations show what their channel responds to: each channel's own
 * image should excite it more than the images made for other channels do.
 */
import { createRandom, randomInt } from '../../src/core/dream/random.js';
import { toPlanar } from '../../src/core/image/planar.js';
import type { RgbImage } from '../../src/core/image/rgb.js';
import type { LoadedModel } from '../../src/core/models/types.js';
import { createActivationSession } from '../../src/node/runtime/engine.js';

/** Mean activation of every channel of `layer` for each image (all of one size): [image][channel]. */
export async function channelMeans(
  model: LoadedModel,
  layer: string,
  images: readonly RgbImage[],
): Promise<number[][]> {
  const { width, height } = images[0]!;
  const session = await createActivationSession(model, layer, { width, height });
  try {
    const means: number[][] = [];
    for (const image of images) {
      const { dims, data } = await session.run(toPlanar(image));
      const positions = data.length / dims[1]!;
      means.push(
        Array.from({ length: dims[1]! }, (_, c) => {
          let sum = 0;
          for (let i = c * positions; i < (c + 1) * positions; i++) sum += data[i]!;
          return sum / positions;
        }),
      );
    }
    return means;
  } finally {
    await session.release();
  }
}

/** How many of `channels[i]` respond to their own image `i` more than to every other image. */
export function ownImageFirst(channels: readonly number[], means: readonly number[][]): number {
  return channels.filter((c, i) => means.every((m, j) => j === i || m[c]! < means[i]![c]!)).length;
}

/** `count` distinct channels of `total`, drawn by a fixed seed. */
export function sampleChannels(total: number, count: number, seed: number): number[] {
  const random = createRandom(seed);
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(randomInt(random, 0, total - 1));
  return [...chosen];
}
