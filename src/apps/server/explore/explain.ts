/**
 * "Explain my photo" in the studio: the channels of a layer that respond most to the photo, each
 * with a heat map of where it fires (a JPEG data URL) and the URL of its thumbnail, which the
 * page loads like the grid's.
 */
import type { RgbImage } from '../../../core/image/rgb.js';
import type { LoadedModel } from '../../../core/models/types.js';
import { layerLook, type LayerLook } from '../../../core/visualize/layer.js';
import { encodeImage } from '../../../node/image/write.js';
import { respondingChannels } from '../../../node/visualize/explain.js';
import type { BackgroundLane } from './lane.js';

export const EXPLAIN_LIMITS = {
  top: { default: 9, min: 1, max: 16 },
  /** Long side the photo is looked at: heat maps are coarse (a 17x17 map for mixed4 at 299 px). */
  size: 384,
} as const;

export interface ExplainedChannel {
  channel: number;
  /** Mean activation over the photo. */
  activation: number;
  /** The photo, dimmed, under the channel's activation in heat colours (JPEG data URL). */
  heatMap: string;
  /** What the channel responds to most (see thumbnailUrl). */
  thumbnail: string;
}

export interface ExplainAnswer {
  model: string;
  layer: string;
  look: LayerLook;
  width: number;
  height: number;
  channels: ExplainedChannel[];
}

let explanations = 0;

export async function explainForPage(
  request: { model: LoadedModel; layer: string; photo: RgbImage; top: number },
  lane: BackgroundLane,
  threads: number,
  signal: AbortSignal,
): Promise<ExplainAnswer> {
  const { model, layer, photo, top } = request;
  const responses = await lane.run(
    `explain ${explanations++}`,
    () => respondingChannels(photo, model, layer, top, { threads }),
    signal,
  );
  const channels: ExplainedChannel[] = [];
  for (const r of responses) {
    const jpeg = await encodeImage(r.heatMap, 'jpeg');
    channels.push({
      channel: r.channel,
      activation: r.activation,
      heatMap: `data:image/jpeg;base64,${jpeg.toString('base64')}`,
      thumbnail: thumbnailUrl(model.name, layer, r.channel),
    });
  }
  return {
    model: model.name,
    layer,
    look: layerLook(model, layer),
    width: photo.width,
    height: photo.height,
    channels,
  };
}

/** The default thumbnail size, in pixels. */
export const THUMBNAIL_SIZE = 128;

export const thumbnailUrl = (model: string, layer: string, channel: number, size = THUMBNAIL_SIZE): string =>
  `/api/explore/${encodeURIComponent(model)}/${encodeURIComponent(layer)}/channels/${channel}.png?size=${size}`;
