/**
 * Explaining a photo by a layer's channels: which channels respond to it most, and where in the
 * photo each one fires, as a heat map over it.
 */
import type { Float32Tensor } from '../engine/runtime.js';
import { resizeImage } from '../dream/resize.js';
import { createRgbImage, type RgbImage } from '../image/rgb.js';

export interface ChannelResponse {
  channel: number;
  /** Mean activation over the layer's positions. */
  activation: number;
}

/** The `top` channels of an activation [1, C, H, W] by mean activation, strongest first. */
export function topChannels(activations: Float32Tensor, top: number): ChannelResponse[] {
  const [, channels = 1, ...map] = activations.dims;
  const positions = map.reduce((a, d) => a * d, 1);
  const responses = Array.from({ length: channels }, (_, channel) => {
    let sum = 0;
    for (let i = channel * positions; i < (channel + 1) * positions; i++) sum += activations.data[i]!;
    return { channel, activation: sum / positions };
  });
  return responses.sort((a, b) => b.activation - a.activation || a.channel - b.channel).slice(0, top);
}

/** The photo is dimmed to this share of its brightness, so the heat stands out... */
const PHOTO_SHOWN = 0.5;
/** ...and the heat covers at most this share of it, so the photo shows through everywhere. */
const HEAT_OPACITY = 0.7;

/**
 * `photo` dimmed, with `channel`'s activation map (of `activations` [1, C, H, W]) laid over it in
 * heat colours, scaled so the channel's strongest position is brightest.
 */
export function heatMap(photo: RgbImage, activations: Float32Tensor, channel: number): RgbImage {
  const [, , height = 1, width = 1] = activations.dims;
  const positions = height * width;
  const values = activations.data.subarray(channel * positions, (channel + 1) * positions);
  const peak = Math.max(...values);
  const map = createRgbImage(width, height);
  values.forEach((v, p) => map.data.fill(peak > 0 ? Math.max(0, v) / peak : 0, 3 * p, 3 * p + 3));
  const heat = resizeImage(map, photo.width, photo.height);
  const out = createRgbImage(photo.width, photo.height);
  for (let p = 0; p < photo.width * photo.height; p++) {
    const h = Math.min(1, Math.max(0, heat.data[3 * p]!));
    const colour = heatColour(h);
    const a = HEAT_OPACITY * h;
    for (let c = 0; c < 3; c++) out.data[3 * p + c] = (1 - a) * PHOTO_SHOWN * photo.data[3 * p + c]! + a * colour[c]!;
  }
  return out;
}

/** Black through red and orange to yellow-white, for 0..1. */
function heatColour(v: number): [number, number, number] {
  return [255 * Math.min(1, 2 * v), 255 * Math.max(0, Math.min(1, 2 * v - 0.5)), 255 * Math.max(0, 2 * v - 1.2)];
}
