/** Resampling frames: the zoom loop's per-frame camera move, and motion compensation by optical flow. */
import { createRgbImage, type RgbImage } from '../image/rgb.js';

/** Bilinear sample at (x, y) with edges extended, written to out[o..o+2]. */
function sampleInto(src: RgbImage, x: number, y: number, out: Float32Array, o: number): void {
  const { width: w, height: h, data } = src;
  const cx = x < 0 ? 0 : x > w - 1 ? w - 1 : x;
  const cy = y < 0 ? 0 : y > h - 1 ? h - 1 : y;
  const x0 = Math.min(Math.floor(cx), w - 2 < 0 ? 0 : w - 2);
  const y0 = Math.min(Math.floor(cy), h - 2 < 0 ? 0 : h - 2);
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  const fx = cx - x0;
  const fy = cy - y0;
  const a = (y0 * w + x0) * 3;
  const b = (y0 * w + x1) * 3;
  const c = (y1 * w + x0) * 3;
  const d = (y1 * w + x1) * 3;
  for (let k = 0; k < 3; k++) {
    const top = data[a + k]! + (data[b + k]! - data[a + k]!) * fx;
    const bottom = data[c + k]! + (data[d + k]! - data[c + k]!) * fx;
    out[o + k] = top + (bottom - top) * fy;
  }
}

export interface CameraMove {
  /** Scale per frame; above 1 zooms in. */
  zoom: number;
  /** Degrees per frame, clockwise. */
  rotate: number;
  /** Pixels per frame the picture moves right / down. */
  translateX: number;
  translateY: number;
}

/** The frame as the camera sees it after one move about the centre. */
export function moveCamera(src: RgbImage, move: CameraMove): RgbImage {
  const { width: w, height: h } = src;
  const out = createRgbImage(w, h);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const angle = (move.rotate * Math.PI) / 180;
  // Inverse mapping: where each output pixel comes from in the source.
  const cos = Math.cos(angle) / move.zoom;
  const sin = Math.sin(angle) / move.zoom;
  for (let y = 0; y < h; y++) {
    const dy = y - cy - move.translateY;
    for (let x = 0; x < w; x++) {
      const dx = x - cx - move.translateX;
      sampleInto(src, cx + cos * dx + sin * dy, cy - sin * dx + cos * dy, out.data, (y * w + x) * 3);
    }
  }
  return out;
}

/**
 * Pulls `src` along a backward flow field: output(x, y) = src(x + flow.x, y + flow.y), with the
 * flow interleaved (dx, dy) per pixel, as OpenCV's Farneback returns it.
 */
export function warpByFlow(src: RgbImage, flow: Float32Array): RgbImage {
  const { width: w, height: h } = src;
  if (flow.length !== w * h * 2) throw new Error(`flow field has ${flow.length} values, ${w}x${h} needs ${w * h * 2}`);
  const out = createRgbImage(w, h);
  for (let y = 0, p = 0; y < h; y++) {
    for (let x = 0; x < w; x++, p++) {
      sampleInto(src, x + flow[2 * p]!, y + flow[2 * p + 1]!, out.data, p * 3);
    }
  }
  return out;
}

/** a * weight + b * (1 - weight), a new image. */
export function blend(a: RgbImage, b: RgbImage, weight: number): RgbImage {
  const out = createRgbImage(a.width, a.height);
  for (let i = 0; i < out.data.length; i++) out.data[i] = a.data[i]! * weight + b.data[i]! * (1 - weight);
  return out;
}
