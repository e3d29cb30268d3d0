/**
 * A running dream's previews: the image after each octave, scaled to the dream's shape (at most
 * PREVIEW_MAX_SIDE on the long side) and encoded as PNG, handed on in octave order.
 */
import { resizeImage } from '../../core/dream/resize.js';
import type { RgbImage } from '../../core/image/rgb.js';
import { encodeImage } from '../../node/image/write.js';

/** Long side of a preview: enough for the page's frame, small enough to send after every octave. */
export const PREVIEW_MAX_SIDE = 512;

export interface OctavePreviews {
  /** Give to DreamControl.onOctave. */
  onOctave: (image: RgbImage, octave: number) => void;
  /** Resolves once every preview so far is handed on; rejects with the first failure. */
  settled: () => Promise<void>;
}

export function octavePreviews(
  dreamed: { width: number; height: number },
  onPreview: (png: Buffer, octave: number) => void,
  signal?: AbortSignal,
): OctavePreviews {
  const scale = Math.min(1, PREVIEW_MAX_SIDE / Math.max(dreamed.width, dreamed.height));
  const width = Math.max(1, Math.round(dreamed.width * scale));
  const height = Math.max(1, Math.round(dreamed.height * scale));
  let chain = Promise.resolve();
  let failure: unknown;
  return {
    onOctave(image, octave) {
      // One at a time, so previews arrive in octave order; none once the dream is cancelled.
      chain = chain
        .then(async () => {
          const png = await encodeImage(resizeImage(image, width, height), 'png');
          if (!signal?.aborted) onPreview(png, octave);
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
