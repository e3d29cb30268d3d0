/**
 * Dense optical flow with OpenCV's Farneback (the WebAssembly build in @techstark/opencv-js),
 * loaded on first use: it takes ~2 s and only video rendering with blending needs it.
 */
import { createRequire } from 'node:module';
import type { RgbImage } from '../../core/image/rgb.js';

/** The few OpenCV.js calls used here (the package's own typings pull in a large type tree). */
interface CvMat {
  data: Uint8Array;
  data32F: Float32Array;
  delete(): void;
}
interface OpenCv {
  Mat: new (rows?: number, cols?: number, type?: number) => CvMat;
  CV_8UC1: number;
  calcOpticalFlowFarneback(
    prev: CvMat,
    next: CvMat,
    flow: CvMat,
    pyrScale: number,
    levels: number,
    winsize: number,
    iterations: number,
    polyN: number,
    polySigma: number,
    flags: number,
  ): void;
  onRuntimeInitialized?: () => void;
}

// Cached as { cv }: the Emscripten module is itself a thenable, so resolving a promise with it
// directly would never settle.
let loading: Promise<{ cv: OpenCv }> | undefined;

function loadOpenCv(): Promise<{ cv: OpenCv }> {
  loading ??= new Promise((resolve, reject) => {
    try {
      const cv = createRequire(import.meta.url)('@techstark/opencv-js') as OpenCv;
      if (typeof cv.Mat === 'function') resolve({ cv });
      else cv.onRuntimeInitialized = () => resolve({ cv });
    } catch (err) {
      reject(new Error(`cannot load OpenCV.js for optical flow: ${(err as Error).message}`));
    }
  });
  return loading;
}

/** 8-bit luma (Rec. 601), the input Farneback expects, averaged over factor x factor blocks, into `target`. */
function grayInto(image: RgbImage, factor: number, target: Uint8Array): void {
  const d = image.data;
  const width = Math.floor(image.width / factor);
  const height = Math.floor(image.height / factor);
  const weight = 1 / (factor * factor);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = 0;
      for (let dy = 0; dy < factor; dy++) {
        for (let dx = 0; dx < factor; dx++) {
          const i = ((y * factor + dy) * image.width + x * factor + dx) * 3;
          v += 0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
        }
      }
      v *= weight;
      target[y * width + x] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
  }
}

export type FlowField = Float32Array;

/** Frames at least this wide get their flow computed at half resolution: 4x less work, ample for blending. */
const HALF_RESOLUTION_MIN_WIDTH = 480;

/**
 * Backward flow for motion compensation: for each pixel of `to`, the (dx, dy) offset of where it
 * was in `from`, so warpByFlow(somethingAlignedWithFrom, flow) lines it up with `to`.
 */
export async function backwardFlow(from: RgbImage, to: RgbImage): Promise<FlowField> {
  const { cv } = await loadOpenCv();
  const { width: w, height: h } = to;
  const factor = w >= HALF_RESOLUTION_MIN_WIDTH ? 2 : 1;
  const fw = Math.floor(w / factor);
  const fh = Math.floor(h / factor);
  const current = new cv.Mat(fh, fw, cv.CV_8UC1);
  const previous = new cv.Mat(fh, fw, cv.CV_8UC1);
  const flow = new cv.Mat();
  try {
    grayInto(to, factor, current.data);
    grayInto(from, factor, previous.data);
    // Farneback(a, b) gives a(y, x) ~ b(y + fy, x + fx): from the current frame into the previous.
    // Pyramid 0.5 x 3 levels, 15 px window, 3 iterations, poly 5 / 1.2: OpenCV's usual settings.
    cv.calcOpticalFlowFarneback(current, previous, flow, 0.5, 3, 15, 3, 5, 1.2, 0);
    return factor === 1 ? flow.data32F.slice() : upsampleFlow(flow.data32F, fw, fh, w, h, factor);
  } finally {
    current.delete();
    previous.delete();
    flow.delete();
  }
}

/** A flow field of fw x fh scaled up to w x h (bilinear), its vectors scaled by `factor`. */
function upsampleFlow(small: Float32Array, fw: number, fh: number, w: number, h: number, factor: number): FlowField {
  const out = new Float32Array(w * h * 2);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(Math.max((y + 0.5) / factor - 0.5, 0), fh - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, fh - 1);
    const ty = sy - y0;
    for (let x = 0; x < w; x++) {
      const sx = Math.min(Math.max((x + 0.5) / factor - 0.5, 0), fw - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, fw - 1);
      const tx = sx - x0;
      for (let c = 0; c < 2; c++) {
        const top = small[(y0 * fw + x0) * 2 + c]! * (1 - tx) + small[(y0 * fw + x1) * 2 + c]! * tx;
        const bottom = small[(y1 * fw + x0) * 2 + c]! * (1 - tx) + small[(y1 * fw + x1) * 2 + c]! * tx;
        out[(y * w + x) * 2 + c] = (top * (1 - ty) + bottom * ty) * factor;
      }
    }
  }
  return out;
}
