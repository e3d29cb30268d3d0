/**
 * The zoom loop ("infinite zoom"): each frame is the dream of the previous frame after a small
 * camera move (zoom, rotation, translation), starting from noise or a photo, with the layer
 * following a schedule and the colours held near the first frame's.
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { noiseImage } from '../../core/dream/random.js';
import { resizeImage } from '../../core/dream/resize.js';
import { readInputFile } from '../image/files.js';
import { readImage, type ReadImageOptions } from '../image/read.js';
import type { Recipe } from '../image/recipe.js';
import { createRgbImage, type RgbImage } from '../../core/image/rgb.js';
import { openWorkFolder, workFolderFor, type WorkFolder } from './checkpoint.js';
import { colorStats, correctColor, DriftTracker } from '../../core/video/color.js';
import type { FrameDreamer } from './dreamer.js';
import { encodeOutput } from './encode.js';
import { readFramePng, roundFrame, writeFramePng } from './frames.js';
import { checkFrameSpace, checkOutputWritable, needsEvenSize, outputTarget, type OutputTarget } from './output.js';
import { SpeedMeter, StageTimer, type RenderControl, type StageTimings } from '../../core/video/progress.js';
import { layerAt, type LayerSchedule } from '../../core/video/schedule.js';
import { checkZoomOptions } from '../../core/options/render.js';
import { moveCamera, type CameraMove } from '../../core/video/warp.js';

export interface ZoomOptions {
  output: string;
  frames: number;
  fps: number;
  /** Frame size; default: the photo's size (`from`) or 640x360. */
  size?: { width: number; height: number };
  /** Start from this photo (a file, or bytes already read) instead of noise. */
  from?: string | ZoomPhoto;
  move: CameraMove;
  schedule: LayerSchedule;
  /** 0..1: how far each frame's colour statistics are pulled back to frame 0's (0 = off). */
  colorLock: number;
  seed: number;
  /** Everything else that shapes the dream (its resolved options), for the work folder's hash. */
  dreamSettings: Record<string, unknown>;
  /** Discard the frames of an earlier render with other settings. */
  restart?: boolean;
  /** Keep the work folder after the output is written. */
  keepFrames?: boolean;
  /** Stored in the output (see recipe.ts); not part of the frames' settings. */
  recipe?: Recipe;
}

/** A photo to zoom from, given as bytes (an upload), decoded with these read options. */
export interface ZoomPhoto extends ReadImageOptions {
  name: string;
  bytes: Buffer;
}

/** A zoom checked and set up by prepareZoom, for renderZoom. */
export interface PreparedZoom {
  options: ZoomOptions;
  target: OutputTarget;
  start: RgbImage;
  work: WorkFolder;
}

export interface RenderResult {
  output: string;
  frames: number;
  resumed: number;
  timings: StageTimings;
  /** Largest |drift| of luminance (0..255) and saturation (0..1) from frame 0 seen in this run. */
  maxDrift: { luminance: number; saturation: number };
}

const DEFAULT_ZOOM_SIZE = { width: 640, height: 360 };

/** Fewest pixels on each side of a zoom's frames. */
export const MIN_FRAME_SIDE = 8;

/**
 * Times the first frame of a zoom from noise is dreamed over (without a camera move). Grey noise
 * dreamed once is still grey, and the colour lock would hold every later frame to it; dreamed 20
 * times it has the colours and contrast of a developed dream (mean saturation about 0.3 with the
 * default model), and the lock holds those.
 */
export const NOISE_WARM_UP_PASSES = 20;

/** Validates everything and opens the work folder, before any model is loaded. */
export async function prepareZoom(options: ZoomOptions): Promise<PreparedZoom> {
  checkZoomOptions(options);
  const target = outputTarget(options.output);
  // Read once: the same bytes are decoded and hashed into the work folder's settings.
  const { from } = options;
  const photo = typeof from === 'string' ? { name: from, bytes: await readInputFile(from) } : from;
  let start = photo ? (await readImage(photo.bytes, photo)).image : undefined;
  let { width, height } = options.size ?? (start ? start : DEFAULT_ZOOM_SIZE);
  if (needsEvenSize(target)) {
    width -= width % 2;
    height -= height % 2;
  }
  if (width < MIN_FRAME_SIDE || height < MIN_FRAME_SIDE || width * height > 16_000_000)
    throw new Error(`frame size ${width}x${height} is out of range`);
  start = start ? coverResize(start, width, height) : noiseImage(width, height, options.seed);
  await checkOutputWritable(target);
  await checkFrameSpace(target, workFolderFor(options.output), options.frames, { width, height });
  const settings = {
    width,
    height,
    from: photo ? createHash('sha256').update(photo.bytes).digest('hex') : null,
    move: options.move,
    schedule: options.schedule,
    colorLock: options.colorLock,
    seed: options.seed,
    dream: options.dreamSettings,
    ...(!photo && { warmUp: NOISE_WARM_UP_PASSES }),
  };
  const work = await openWorkFolder(workFolderFor(options.output), 'zoom', settings, options.restart);
  return { options, target, start, work };
}

/** Scales to cover width x height and crops the centre. */
function coverResize(image: RgbImage, width: number, height: number): RgbImage {
  const scale = Math.max(width / image.width, height / image.height);
  const scaled = resizeImage(
    image,
    Math.max(width, Math.round(image.width * scale)),
    Math.max(height, Math.round(image.height * scale)),
  );
  const x0 = (scaled.width - width) >> 1;
  const y0 = (scaled.height - height) >> 1;
  const out = createRgbImage(width, height);
  for (let y = 0; y < height; y++) {
    const from = ((y + y0) * scaled.width + x0) * 3;
    out.data.set(scaled.data.subarray(from, from + width * 3), y * width * 3);
  }
  return out;
}

/** The frame's dream, dreamed over `passes` times in all. */
async function dreamOver(
  dream: FrameDreamer,
  frame: { input: RgbImage; index: number; layer: string | undefined; passes: number },
  signal: AbortSignal | undefined,
): Promise<RgbImage> {
  let dreamed = await dream(frame.input, frame.index, frame.layer, signal);
  for (let pass = 1; pass < frame.passes; pass++) dreamed = await dream(dreamed, frame.index, frame.layer, signal);
  return dreamed;
}

/**
 * Dreams the frames not checkpointed yet, then encodes the output. Frame i+1 always starts from
 * frame i as saved (8-bit), so stopping and running again gives the same frames as one run.
 */
export async function renderZoom(
  zoom: PreparedZoom,
  dream: FrameDreamer,
  control: RenderControl = {},
): Promise<RenderResult> {
  const { options, work } = zoom;
  const timer = new StageTimer();
  const speed = new SpeedMeter();
  const total = options.frames;
  const drift = new DriftTracker();
  const resumed = Math.min(work.done, total);
  let previous: RgbImage | undefined;
  if (work.done > 0) {
    drift.reference = colorStats(await readFramePng(work.framePath(0)));
    previous = await readFramePng(work.framePath(resumed - 1));
  }
  for (let i = work.done; i < total; i++) {
    control.signal?.throwIfAborted();
    const layer = layerAt(options.schedule, i);
    const input = previous ? await timer.time('warp', () => moveCamera(previous!, options.move)) : zoom.start;
    const passes = i === 0 && !options.from ? NOISE_WARM_UP_PASSES : 1;
    const dreamed = await timer.time('dream', () =>
      dreamOver(dream, { input, index: i, layer, passes }, control.signal),
    );
    const frame = await timer.time('color', () => {
      if (drift.reference) correctColor(dreamed, colorStats(dreamed), drift.reference, options.colorLock);
      return roundFrame(dreamed);
    });
    await timer.time('checkpoint', () => writeFramePng(work.framePath(i), frame));
    control.onFrame?.(frame, i);
    const color = drift.observe(frame);
    previous = frame;
    speed.frameDone();
    control.onProgress?.({
      phase: 'dream',
      done: i + 1,
      total,
      resumed,
      framesPerMinute: speed.framesPerMinute(),
      etaSeconds: speed.etaSeconds(total - i - 1),
      ...(layer !== undefined && { layer }),
      color,
    });
  }
  control.onProgress?.({ phase: 'encode', done: total, total, resumed });
  await timer.time('encode', () =>
    encodeOutput(zoom.target, work.dir, { frames: total, fpsExpr: String(options.fps), recipe: options.recipe }),
  );
  if (!options.keepFrames) await rm(work.dir, { recursive: true, force: true });
  return { output: options.output, frames: total, resumed, timings: timer.timings, maxDrift: drift.max };
}
