/**
 * Tiled gradients: the network runs on fixed-size tiles (one compiled session per tile shape),
 * and each step the tile grid is rolled over the image (treated as a torus) so tile seams land
 * somewhere new every time and never accumulate into visible lines.
 */
import type { GradientSession, TileShape } from '../engine/gradient-session.js';
import type { RgbImage } from '../image/rgb.js';
import { randomInt, type Random } from './random.js';

/** Where the tile grid starts (in image pixels) for one step. */
export interface Roll {
  x: number;
  y: number;
}

export type ExtraInputs = Record<string, { dims: number[]; data: Float32Array }>;

/**
 * Along each side, as few tiles as fit in `tileSize`, of equal size: a 731-pixel side takes two
 * tiles of 366, not two of 512 (which would compute 40% more pixels than the image has). One
 * shape per octave, so one compiled session.
 */
export function tileShapeFor(width: number, height: number, tileSize: number): TileShape {
  const side = (size: number): number => Math.ceil(size / Math.ceil(size / tileSize));
  return { height: side(height), width: side(width) };
}

/**
 * A side split into tiles rolls over a whole tile period (seams anywhere); a side that fits in one
 * tile rolls by at most `jitter` pixels (the wrap-around edge stays near the image border).
 */
export function drawRoll(random: Random, width: number, height: number, tile: TileShape, jitter: number): Roll {
  const axis = (size: number, tileSide: number): number => {
    const shift = size > tileSide ? randomInt(random, 0, tileSide - 1) : randomInt(random, -jitter, jitter);
    return ((shift % size) + size) % size;
  };
  const x = axis(width, tile.width);
  return { x, y: axis(height, tile.height) };
}

/** One tile window along an axis: it reads `tileSide` pixels from `start`, and owns the first `owned`. */
interface Window {
  start: number;
  owned: number;
}

/** ceil(size / tileSide) windows from `roll`; the last one owns only what is left (overlap is discarded). */
export function axisWindows(size: number, tileSide: number, roll: number): Window[] {
  const count = Math.ceil(size / tileSide);
  return Array.from({ length: count }, (_, k) => ({
    start: (roll + k * tileSide) % size,
    owned: k < count - 1 ? tileSide : size - (count - 1) * tileSide,
  }));
}

/**
 * Computes d(objective)/d(image) tile by tile into `gradient` (same layout as `image`, HWC);
 * every pixel's value comes from exactly one tile. Checks `signal` between tiles.
 */
export async function tiledGradient(
  image: RgbImage,
  session: GradientSession,
  roll: Roll,
  gradient: Float32Array,
  extraInputs?: ExtraInputs,
  signal?: AbortSignal,
): Promise<void> {
  const { width, height } = image;
  const th = session.tileHeight;
  const tw = session.tileWidth;
  const plane = th * tw;
  const tile = new Float32Array(3 * plane);
  const columns = new Int32Array(tw);
  gradient.fill(0);
  for (const wy of axisWindows(height, th, roll.y)) {
    for (const wx of axisWindows(width, tw, roll.x)) {
      signal?.throwIfAborted();
      for (let c = 0; c < tw; c++) columns[c] = (wx.start + c) % width;
      for (let r = 0; r < th; r++) {
        const rowBase = ((wy.start + r) % height) * width;
        for (let c = 0; c < tw; c++) {
          const p = (rowBase + columns[c]!) * 3;
          const q = r * tw + c;
          tile[q] = image.data[p]!;
          tile[q + plane] = image.data[p + 1]!;
          tile[q + 2 * plane] = image.data[p + 2]!;
        }
      }
      const result = await session.run(tile, extraInputs);
      const g = result.gradient;
      for (let r = 0; r < wy.owned; r++) {
        const rowBase = ((wy.start + r) % height) * width;
        for (let c = 0; c < wx.owned; c++) {
          const p = (rowBase + columns[c]!) * 3;
          const q = r * tw + c;
          gradient[p] = gradient[p]! + g[q]!;
          gradient[p + 1] = gradient[p + 1]! + g[q + plane]!;
          gradient[p + 2] = gradient[p + 2]! + g[q + 2 * plane]!;
        }
      }
    }
  }
}
