/**
 * Explain a photo: the channels of a layer that respond to it most, each with its feature
 * visualization (from an atlas folder, rendered there when missing) and a heat map of where in
 * the photo it fires.
 */
import { join } from 'node:path';
import { DEFAULT_MODEL } from '../../core/dream/options.js';
import { resizeImage } from '../../core/dream/resize.js';
import { toPlanar } from '../../core/image/planar.js';
import type { RgbImage } from '../../core/image/rgb.js';
import type { SessionOptions } from '../../core/engine/runtime.js';
import type { LoadedModel } from '../../core/models/types.js';
import { checkInteger, definedOnly, must, OptionError } from '../../core/options/checks.js';
import type { OrtDevice } from '../runtime/device.js';
import { heatMap, topChannels, type ChannelResponse } from '../../core/visualize/explain.js';
import { checkFeatureLayer } from '../../core/visualize/layer.js';
import { besides, montage } from '../../core/visualize/montage.js';
import { resolveVisualizeSettings, type VisualizeSettingsInput } from '../../core/visualize/settings.js';
import { renderAtlas, type AtlasControl } from '../atlas/atlas.js';
import { readManifest } from '../atlas/manifest.js';
import { readImage } from '../image/read.js';
import { loadModel } from '../models/index.js';
import { userCacheDir } from '../models/cache.js';
import { createActivationSession } from '../runtime/engine.js';
import { checkOutputWritable } from '../video/output.js';

export interface ExplainOptions extends VisualizeSettingsInput {
  /** A model name or a loaded model; default: the default model. */
  model?: string | LoadedModel;
  /** Default: the model's default layer. */
  layer?: string;
  /** How many channels (default 9). */
  top?: number;
  /** Atlas folder the visualizations come from and go to; default: `atlas` in the user cache. */
  atlas?: string;
  threads?: number;
  /** Where ONNX Runtime runs the visualizations (default cpu). */
  device?: OrtDevice;
}

export interface ChannelExplanation extends ChannelResponse {
  /** What the channel responds to most (its feature visualization). */
  visualization: RgbImage;
  /** Where it fires: the photo, dimmed, under the channel's activation in heat colours. */
  heatMap: RgbImage;
}

export interface PhotoExplanation {
  model: string;
  layer: string;
  channels: ChannelExplanation[];
}

export const DEFAULT_TOP = 9;

/** Everything is checked before any work: one-line errors for a bad layer, photo size or option. */
export async function explainPhoto(
  photo: RgbImage,
  options: ExplainOptions = {},
  control: AtlasControl = {},
): Promise<PhotoExplanation> {
  const {
    model: asked = DEFAULT_MODEL,
    layer: askedLayer,
    top = DEFAULT_TOP,
    atlas,
    threads,
    device,
    ...rest
  } = options;
  const settings = resolveVisualizeSettings(rest);
  checkInteger('top', top, { min: 1, max: 256 });
  const folder = atlas ?? join(userCacheDir(), 'atlas');
  await checkOutputWritable({ kind: 'png', path: folder, pattern: join(folder, 'probe.png') });
  const model = typeof asked === 'string' ? await loadModel(asked) : asked;
  const layer = askedLayer ?? model.defaultLayer;
  checkFeatureLayer(model, layer, [], settings.size);
  const strongest = await respondingChannels(photo, model, layer, top);
  await renderAtlas(
    {
      ...settings,
      model,
      layer,
      channels: strongest.map((r) => r.channel),
      output: folder,
      ...definedOnly({ threads, device }),
    },
    control,
  );
  const entry = (await readManifest(folder)).layers.find((l) => l.model === model.name && l.layer === layer)!;
  const channels: ChannelExplanation[] = [];
  for (const response of strongest) {
    const image = entry.channels.find((c) => c.channel === response.channel)!.image;
    channels.push({ ...response, visualization: (await readImage(join(folder, image))).image });
  }
  return { model: model.name, layer, channels };
}

/**
 * The `top` channels of `layer` that respond most to `photo`, strongest first, each with its heat
 * map; a photo smaller than the network takes is refused in one line.
 */
export async function respondingChannels(
  photo: RgbImage,
  model: LoadedModel,
  layer: string,
  top: number,
  options: SessionOptions = {},
): Promise<Array<ChannelResponse & Pick<ChannelExplanation, 'heatMap'>>> {
  const smallest = Math.min(photo.width, photo.height);
  if (smallest < model.minInputSize)
    throw new OptionError(
      'photo',
      must(`be at least ${model.minInputSize} pixels on each side for ${model.name}`, `${photo.width}x${photo.height}`),
    );
  const session = await createActivationSession(model, layer, { width: photo.width, height: photo.height }, options);
  const activations = await session.run(toPlanar(photo)).finally(() => session.release());
  return topChannels(activations, top).map((r) => ({ ...r, heatMap: heatMap(photo, activations, r.channel) }));
}

/** One image of an explanation: per channel, its visualization beside its heat map, in rows of `columns`. */
export function explanationMontage(explanation: PhotoExplanation, columns = 3): RgbImage {
  const cells = explanation.channels.map(({ visualization, heatMap: heat }) => {
    const side = visualization.height;
    const width = Math.max(1, Math.round((heat.width * side) / heat.height));
    return besides([visualization, resizeImage(heat, width, side)], 2);
  });
  return montage(cells, { columns, gap: 6 });
}
