/**
 * A running job's previews: a dream after each octave, or a zoom's frames, scaled to the job's
 * shape (at most PREVIEW_MAX_SIDE on the long side) and encoded as PNG, handed on in order.
 */
import { resizeImage } from '../../core/dream/resize.js';
import type { RgbImage } from '../../core/image/rgb.js';
import { encodeImage } from '../../node/image/write.js';

/** Long side of a preview: enough for the page's frame, small enough to send after every octave. */
export const PREVIEW_MAX_SIDE = 512;

export interface ImagePreviews {
  /** Encodes and hands on `image` (DreamControl.onOctave, RenderControl.onFrame). */
  add: (image: RgbImage, index: number) => void;
  /** Resolves once every preview so far is handed on; rejects with the first failure. */
  settled: () => Promise<void>;
}

export function imagePreviews(
  shape: { width: number; height: number },
  onPreview: (png: Buffer, index: number) => void,
  signal?: AbortSignal,
): ImagePreviews {
  const scale = Math.min(1, PREVIEW_MAX_SIDE / Math.max(shape.width, shape.height));
  const width = Math.max(1, Math.round(shape.width * scale));
  const height = Math.max(1, Math.round(shape.height * scale));
  let chain = Promise.resolve();
  let failure: unknown;
  return {
    add(image, index) {
      // One at a time, so previews arrive in order; none once the job is cancelled.
      chain = chain
        .then(async () => {
          const png = await encodeImage(resizeImage(image, width, height), 'png');
          if (!signal?.aborted) onPreview(png, index);
        })
        .catch((error: unknown) => {
          failure ??= error;
        });
    },
    settled: () =>
      chain.then(() => {
        if (failure !== undefined) throw failure;
      }),
  };
}
