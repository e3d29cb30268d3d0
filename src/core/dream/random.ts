/**
 * Seeded randomness for dreams: mulberry32, a tiny well-known 32-bit generator. Same seed, same
 * sequence on every platform (integer arithmetic only), which makes dreams reproducible.
 */
import { createRgbImage, type RgbImage } from '../image/rgb.js';

export type Random = () => number;

/** Returns a generator of floats in [0, 1). */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [min, max] (both included). */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/**
 * A near-uniform grey image with faint noise, the usual start for dreaming "from nothing": flat
 * enough that the network invents everything, noisy enough that the gradient is not symmetric.
 */
export function noiseImage(width: number, height: number, seed: number): RgbImage {
  const image = createRgbImage(width, height);
  const random = createRandom(seed);
  for (let i = 0; i < image.data.length; i++) image.data[i] = 118 + 20 * random();
  return image;
}
