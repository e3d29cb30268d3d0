/** Fake frame dreamers: cheap, deterministic stand-ins for the network with the traits that matter here. */
import { createRandom } from '../../../src/core/dream/random.js';
import { createRgbImage, type RgbImage } from '../../../src/core/image/rgb.js';
import type { FrameDreamer } from '../../../src/node/video/dreamer.js';

/** 3x3 box blur per channel, edges extended. */
export function boxBlur(image: RgbImage): RgbImage {
  const { width: w, height: h, data } = image;
  const out = createRgbImage(w, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < 3; k++) {
        let sum = 0;
        for (let dy = -1; dy <= 1; dy++) {
          const yy = Math.min(h - 1, Math.max(0, y + dy));
          for (let dx = -1; dx <= 1; dx++) {
            const xx = Math.min(w - 1, Math.max(0, x + dx));
            sum += data[(yy * w + xx) * 3 + k]!;
          }
        }
        out.data[(y * w + x) * 3 + k] = sum / 9;
      }
    }
  }
  return out;
}

function frameNoise(length: number, frameIndex: number, amplitude: number): Float32Array {
  const random = createRandom(1000 + frameIndex);
  const noise = new Float32Array(length);
  for (let i = 0; i < length; i++) noise[i] = (random() - 0.5) * 2 * amplitude;
  return noise;
}

/**
 * The known failure of feedback loops, exaggerated: each pass brightens (+3 levels) and
 * saturates (colour distance from grey x1.05) the frame, blurs it a little and adds noise.
 */
export const driftingDreamer: FrameDreamer = async (frame, frameIndex) => {
  const out = boxBlur(frame);
  const noise = frameNoise(out.data.length, frameIndex, 6);
  for (let i = 0; i < out.data.length; i += 3) {
    const grey = (out.data[i]! + out.data[i + 1]! + out.data[i + 2]!) / 3;
    for (let k = 0; k < 3; k++) {
      const v = grey + (out.data[i + k]! - grey) * 1.05 + 3 + noise[i + k]!;
      out.data[i + k] = Math.min(255, Math.max(0, v));
    }
  }
  return out;
};

/**
 * How a dream colours grey noise: every pass moves each value's distance from its pixel's grey 15%
 * of the way to 40 levels (a vivid dream's colours, which it does not exceed), adds a little noise
 * and does not brighten. One pass leaves noise nearly grey; twenty make it vivid.
 */
export const colouringDreamer: FrameDreamer = async (frame, frameIndex) => {
  const out = createRgbImage(frame.width, frame.height);
  const noise = frameNoise(out.data.length, frameIndex, 2);
  for (let i = 0; i < out.data.length; i += 3) {
    const grey = (frame.data[i]! + frame.data[i + 1]! + frame.data[i + 2]!) / 3;
    for (let k = 0; k < 3; k++) {
      const distance = frame.data[i + k]! - grey;
      const v = grey + distance + 0.05 * (Math.sign(distance) * 40 - distance) + noise[i + k]!;
      out.data[i + k] = Math.min(255, Math.max(0, v));
    }
  }
  return out;
};

/** A dream that only brightens: every value +8, so how much of it a frame shows can be read off its mean. */
export const brighteningDreamer: FrameDreamer = async (frame) =>
  createRgbImage(
    frame.width,
    frame.height,
    frame.data.map((v) => v + 8),
  );

/**
 * Hallucinates like a dream: amplifies the fine detail of its input into strong strokes
 * (tanh of the high-pass), with frame-seeded noise deciding what appears where the input is flat.
 * Frames dreamed on their own therefore flicker; frames that start from the previous dream keep its strokes.
 */
export const hallucinatingDreamer: FrameDreamer = async (frame, frameIndex) => {
  const noise = frameNoise(frame.data.length, frameIndex, 4);
  const noisy = createRgbImage(
    frame.width,
    frame.height,
    frame.data.map((v, i) => v + noise[i]!),
  );
  const smooth = boxBlur(noisy);
  const out = createRgbImage(frame.width, frame.height);
  for (let i = 0; i < out.data.length; i++) {
    const v = frame.data[i]! + 40 * Math.tanh(0.5 * (noisy.data[i]! - smooth.data[i]!));
    out.data[i] = Math.min(255, Math.max(0, v));
  }
  return out;
};
