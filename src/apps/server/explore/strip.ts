/**
 * The layer strip: one photo dreamed at each of a network's key layers, lowest to highest, as in
 * the original DeepDream post's figure. Small and short on purpose (at most 256 px, 3 octaves of
 * at most 10 steps): each layer is one job of the background lane, dreamed by a dream worker of
 * its own.
 */
import { encodeImage } from '../../../node/image/write.js';
import type { RgbImage } from '../../../core/image/rgb.js';
import type { LoadedModel } from '../../../core/models/types.js';
import { keyLayers, layerLook, type LayerLook } from '../../../core/visualize/layer.js';
import { dream, type WorkerDreamDeps } from '../../../node/dream/index.js';
import type { BackgroundLane } from './lane.js';

export const STRIP_LIMITS = {
  size: { default: 224, min: 64, max: 256 },
  steps: { default: 8, min: 1, max: 10 },
} as const;

/**
 * Octaves of every strip dream: a photo this small would get one, whose few steps barely show
 * (see octavesForSize); three make each layer's look plain.
 */
const STRIP_OCTAVES = 3;

export interface StripFrame {
  layer: string;
  look: LayerLook;
  /** PNG data URL. */
  image: string;
}

export interface StripRequest {
  model: LoadedModel;
  photo: RgbImage;
  steps: number;
}

let strips = 0;

/** The strip's layers, and each one's dream of the photo, lowest layer first, as each is done. */
export function dreamStrip(
  request: StripRequest,
  lane: BackgroundLane,
  deps: Pick<WorkerDreamDeps, 'lane' | 'backendModule' | 'threads'>,
  signal: AbortSignal,
): { layers: Array<Omit<StripFrame, 'image'>>; dreams: AsyncGenerator<StripFrame> } {
  const layers = keyLayers(request.model).map((layer) => ({ layer, look: layerLook(request.model, layer) }));
  return { layers, dreams: dreams(request, layers, lane, deps, signal) };
}

async function* dreams(
  { model, photo, steps }: StripRequest,
  layers: ReadonlyArray<Omit<StripFrame, 'image'>>,
  lane: BackgroundLane,
  deps: Pick<WorkerDreamDeps, 'lane' | 'backendModule' | 'threads'>,
  signal: AbortSignal,
): AsyncGenerator<StripFrame> {
  const id = `strip ${strips++}`;
  for (const { layer, look } of layers) {
    // One job per layer, asked for when the last is done: the strip stays the newest work.
    const dreamed = await lane.run(
      `${id} ${layer}`,
      (stop) =>
        dream(
          { ...photo, data: photo.data.slice() },
          { model: model.name, layers: [{ name: layer, weight: 1 }], steps, octaves: STRIP_OCTAVES },
          { signal: stop },
          { ...deps, keepSessions: false, transferImage: true },
        ),
      signal,
    );
    const png = await encodeImage(dreamed, 'png');
    yield { layer, look, image: `data:image/png;base64,${png.toString('base64')}` };
  }
}
