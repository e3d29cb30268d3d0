/**
 * Dense optical flow with OpenCV's Farneback (the WebAssembly build in @techstark/opencv-js),
 * loaded on first use: it takes ~2 s and only video rendering with blending needs it.
 */
import { createRequire } from 'node:module';
import type { RgbImage } from '../image/rgb.js';

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

/** Rec. 601 luma as 8-bit, the input Farneback expects. */
function grayInto(image: RgbImage, target: Uint8Array): void {
  const d = image.data;
  for (let p = 0, i = 0; p < target.length; p++, i += 3) {
    const v = 0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
    target[p] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
  }
}

export type FlowField = Float32Array;

/**
 * Backward flow for motion compensation: for each pixel of `to`, the (dx, dy) offset of where it
 * was in `from`, so warpByFlow(somethingAlignedWithFrom, flow) lines it up with `to`.
 */
export async function backwardFlow(from: RgbImage, to: RgbImage): Promise<FlowField> {
  const { cv } = await loadOpenCv();
  const { width: w, height: h } = to;
  const current = new cv.Mat(h, w, cv.CV_8UC1);
  const previous = new cv.Mat(h, w, cv.CV_8UC1);
  const flow = new cv.Mat();
  try {
    grayInto(to, current.data);
    grayInto(from, previous.data);
    // Farneback(a, b) gives a(y, x) ~ b(y + fy, x + fx): from the current frame into the previous.
    // Pyramid 0.5 x 3 levels, 15 px window, 3 iterations, poly 5 / 1.2: OpenCV's usual settings.
    cv.calcOpticalFlowFarneback(current, previous, flow, 0.5, 3, 15, 3, 5, 1.2, 0);
    return flow.data32F.slice();
  } finally {
    current.delete();
    previous.delete();
    flow.delete();
  }
}
