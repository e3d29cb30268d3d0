/** Turns dream options into the objective the gradient sessions maximise. */
import { guideInputName, type Objective } from '../autodiff/objective.js';
import type { RgbImage } from '../image/rgb.js';
import type { DreamBackend } from './backend.js';
import type { DreamLayer } from './options.js';
import { resizeImage } from './resize.js';
import type { ExtraInputs } from './tiles.js';

/**
 * Whole layers use mean(activation^2) (Google's notebook: amplify whatever is already strong);
 * chosen channels use their mean activation (push those features up, whatever else happens).
 * With a guide, each layer becomes a guide-matching term instead.
 */
export function dreamObjective(layers: DreamLayer[], channels: number[] | undefined, guided: boolean): Objective {
  return {
    terms: layers.map(({ name, weight }) =>
      guided
        ? { kind: 'guide', layer: name, weight }
        : channels
          ? { kind: 'layer', layer: name, weight, reduce: 'mean', channels }
          : { kind: 'layer', layer: name, weight, reduce: 'meanSquare' },
    ),
  };
}

/**
 * Guide features per layer as [C, M] matrices (M = positions of the guide's activation). The
 * guide is shrunk to fit in one tile (feature count and matching cost stay bounded) and enlarged
 * if a side is below the network's minimum.
 */
export async function guideInputs(
  backend: DreamBackend,
  layers: DreamLayer[],
  guide: RgbImage,
  tileSize: number,
): Promise<ExtraInputs> {
  const fit = Math.min(1, tileSize / Math.max(guide.width, guide.height));
  const grow = Math.max(1, backend.minInputSize / Math.min(guide.width * fit, guide.height * fit));
  const width = Math.max(1, Math.round(guide.width * fit * grow));
  const height = Math.max(1, Math.round(guide.height * fit * grow));
  const sized = resizeImage(guide, width, height);
  const inputs: ExtraInputs = {};
  for (const { name } of layers) {
    const { dims, data } = await backend.activations(name, sized);
    const channels = dims[1] ?? 0;
    inputs[guideInputName(name)] = { dims: [channels, data.length / channels], data };
  }
  return inputs;
}
