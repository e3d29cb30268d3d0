/**
 * Frames as they are checkpointed: 8-bit RGB PNGs. Every frame is rounded to 8 bits before it is
 * saved AND before it feeds the next frame, so a resumed render (which reads the PNG back) sees
 * exactly the state an uninterrupted render had.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { writeFileAtomic } from '../image/files.js';
import { createRgbImage, type RgbImage } from '../../core/image/rgb.js';

/** Rounds and clamps to 0..255 in place, and returns the same image. */
export function roundFrame(image: RgbImage): RgbImage {
  const d = image.data;
  for (let i = 0; i < d.length; i++) {
    const v = Math.round(d[i]!);
    d[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return image;
}

export function fromBytes(width: number, height: number, bytes: Uint8Array): RgbImage {
  return createRgbImage(width, height, Float32Array.from(bytes));
}

/** Encodes an already rounded frame as a PNG (deterministic bytes for the same pixels). */
function encodeFramePng(frame: RgbImage): Promise<Buffer> {
  return sharp(Uint8Array.from(frame.data), { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .png({ compressionLevel: 3, adaptiveFiltering: false })
    .toBuffer();
}

export async function writeFramePng(path: string, frame: RgbImage): Promise<void> {
  await writeFileAtomic(path, await encodeFramePng(frame));
}

export async function readFramePng(path: string): Promise<RgbImage> {
  const { data, info } = await sharp(await readFile(path))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return fromBytes(info.width, info.height, data);
}
