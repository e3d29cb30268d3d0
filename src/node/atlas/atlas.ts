/**
 * A network atlas: the feature visualization of every chosen channel of a layer, written as PNGs
 * with a manifest and a static page. Resumable: each image's file name carries the key of what it
 * depends on (the model's weights up to the layer, the layer, the settings), the images of each
 * batch are written as soon as it is done, and a later run renders only the missing ones.
 */
import { createHash } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_MODEL, validateChannels } from '../../core/dream/options.js';
import type { LoadedModel } from '../../core/models/types.js';
import { encodeModel } from '../../core/onnx/codec.js';
import { pruneGraph } from '../../core/onnx/prune.js';
import { withInputShape } from '../../core/onnx/shapes.js';
import { checkInteger, definedOnly } from '../../core/options/checks.js';
import type { OrtDevice } from '../runtime/device.js';
import { SpeedMeter } from '../../core/video/progress.js';
import { checkFeatureLayer, layerLook } from '../../core/visualize/layer.js';
import { channel } from '../../core/visualize/objective.js';
import { imageSettings, resolveVisualizeSettings, type VisualizeSettingsInput } from '../../core/visualize/settings.js';
import { VISUALIZE_VERSION, visualize } from '../../core/visualize/visualize.js';
import { writeImage } from '../image/write.js';
import { loadModel } from '../models/index.js';
import { checkOutputWritable } from '../video/output.js';
import { openFeatureProgram } from '../visualize/features.js';
import { type AtlasChannel, type AtlasLayer, readManifest, withLayer, writeManifest } from './manifest.js';
import { PAGE_FILE, writePage } from './page.js';

export interface AtlasOptions extends VisualizeSettingsInput {
  /** A model name or a loaded model; default: the default model. */
  model?: string | LoadedModel;
  /** Default: the model's default layer. */
  layer?: string;
  /** Default: every channel of the layer. */
  channels?: number[];
  /** The atlas folder (created if missing; other layers already there stay). */
  output: string;
  /** ONNX Runtime intra-op threads. */
  threads?: number;
  /** Where ONNX Runtime runs the network (default cpu). */
  device?: OrtDevice;
}

export interface AtlasProgress {
  /** Channels of this layer in the atlas so far (cached ones included), of `total`. */
  done: number;
  total: number;
  /** Channels that were in the atlas before this run. */
  cached: number;
  channelsPerMinute?: number;
  etaSeconds?: number;
}

export interface AtlasControl {
  onProgress?: (progress: AtlasProgress) => void;
  /** Aborting stops before the next step; the images finished so far stay in the atlas. */
  signal?: AbortSignal;
}

export interface AtlasResult {
  /** The page to open. */
  page: string;
  model: string;
  layer: string;
  channels: number;
  /** Channels rendered by this run, and those found already rendered. */
  rendered: number;
  cached: number;
}

/** Renders the missing channels of the atlas of one layer. Everything is checked before any rendering. */
export async function renderAtlas(options: AtlasOptions, control: AtlasControl = {}): Promise<AtlasResult> {
  const {
    model: modelName = DEFAULT_MODEL,
    layer: askedLayer,
    channels: chosen,
    output,
    threads,
    device,
    ...rest
  } = options;
  const settings = resolveVisualizeSettings(rest);
  if (chosen !== undefined) validateChannels(chosen);
  if (threads !== undefined) checkInteger('threads', threads, { min: 1, max: 256 });
  await checkOutputWritable({ kind: 'png', path: output, pattern: join(output, 'probe.png') });
  const model = typeof modelName === 'string' ? await loadModel(modelName) : modelName;
  const layer = askedLayer ?? model.defaultLayer;
  const info = checkFeatureLayer(model, layer, chosen ?? [], settings.size);
  const channels = chosen ?? Array.from({ length: info.channels }, (_, c) => c);
  let manifest = await readManifest(output);

  const keyed = imageSettings(settings);
  const key = atlasKey(model, layer, keyed);
  const imageOf = (c: number) => atlasImage(model.name, layer, c, key);
  const done: AtlasChannel[] = [];
  const missing: number[] = [];
  for (const c of channels) {
    if (await exists(join(output, imageOf(c)))) done.push({ channel: c, image: imageOf(c) });
    else missing.push(c);
  }
  const cached = done.length;
  // Channels rendered by earlier runs with the same key, not asked for this time, stay on the page.
  const asked = new Set(channels);
  const earlier =
    manifest.layers
      .find((l) => l.model === model.name && l.layer === layer && l.key === key)
      ?.channels.filter((c) => !asked.has(c.channel)) ?? [];
  const entry = (): AtlasLayer => ({
    model: model.name,
    layer,
    shape: info.shape,
    look: layerLook(model, layer),
    key,
    settings: keyed,
    channels: [...earlier, ...done].sort((a, b) => a.channel - b.channel),
  });
  const save = async () => {
    manifest = withLayer(manifest, entry());
    await writeManifest(output, manifest);
    await writePage(output, manifest);
  };
  await save();
  const speed = new SpeedMeter();
  const report = () =>
    control.onProgress?.({
      done: done.length,
      total: channels.length,
      cached,
      ...definedSpeed(speed, channels.length - done.length),
    });
  report();
  if (missing.length > 0) {
    await mkdir(join(output, slug(model.name), slug(layer)), { recursive: true });
    const objectives = missing.map((c) => channel(layer, c));
    const program = await openFeatureProgram(
      model,
      objectives[0]!,
      settings,
      missing.length,
      definedOnly({ threads, device }),
    );
    try {
      for (let start = 0; start < objectives.length; start += program.batch) {
        const part = objectives.slice(start, start + program.batch);
        const images = await visualize(part, program, settings, { ...(control.signal && { signal: control.signal }) });
        for (const [k, image] of images.entries()) {
          const c = missing[start + k]!;
          await writeImage(join(output, imageOf(c)), image);
          done.push({ channel: c, image: imageOf(c) });
          speed.frameDone();
        }
        await save();
        report();
      }
    } finally {
      await program.release();
    }
  }
  return {
    page: join(output, PAGE_FILE),
    model: model.name,
    layer,
    channels: channels.length,
    rendered: channels.length - cached,
    cached,
  };
}

/** Channels per minute and the time left, once some channel has been rendered. */
function definedSpeed(speed: SpeedMeter, remaining: number): Pick<AtlasProgress, 'channelsPerMinute' | 'etaSeconds'> {
  const channelsPerMinute = speed.framesPerMinute();
  const etaSeconds = speed.etaSeconds(remaining);
  return {
    ...(channelsPerMinute !== undefined && { channelsPerMinute }),
    ...(etaSeconds !== undefined && { etaSeconds }),
  };
}

/** Where the image of `channel` lies in an atlas folder, for images keyed `key` (see atlasKey). */
export const atlasImage = (model: string, layer: string, channel: number, key: string): string =>
  `${slug(model)}/${slug(layer)}/${String(channel).padStart(4, '0')}-${key}.png`;

/**
 * First 12 hex digits of the SHA-256 of the model's weights and graph up to the layer, the layer,
 * the settings and the algorithm's version: what the images depend on.
 */
export function atlasKey(model: LoadedModel, layer: string, settings: object): string {
  const [height, width] = model.defaultInputSize;
  const graph = pruneGraph(withInputShape(model.model.graph, model.inputName, [1, 3, height, width]), [layer]);
  return createHash('sha256')
    .update(encodeModel({ ...model.model, graph }))
    .update(JSON.stringify({ layer, settings, version: VISUALIZE_VERSION }))
    .digest('hex')
    .slice(0, 12);
}

/** A name safe in a path: Caffe layer names hold slashes ("inception_4c/output"). */
const slug = (name: string): string => name.replace(/[^A-Za-z0-9_.-]+/g, '_');

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );
