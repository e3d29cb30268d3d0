/**
 * Dreaming a video: every frame is dreamed, starting from the previous DREAMED frame carried along
 * the optical flow between the previous and current ORIGINAL frames and blended with the current
 * frame, so the dream moves with the picture instead of flickering. The audio is kept.
 */
import { rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { RgbImage } from '../../core/image/rgb.js';
import type { Recipe } from '../image/recipe.js';
import { openWorkFolder, workFolderFor, type WorkFolder } from './checkpoint.js';
import { colorStats, DriftTracker } from '../../core/video/color.js';
import { decodeFrames } from './decode.js';
import type { FrameDreamer } from './dreamer.js';
import { encodeOutput, type AudioSource } from './encode.js';
import { backwardFlow } from './flow.js';
import { fromBytes, readFramePng, roundFrame, writeFramePng } from './frames.js';
import { checkFrameSpace, checkOutputWritable, needsEvenSize, outputTarget, type OutputTarget } from './output.js';
import { probeVideo, type VideoInfo } from './probe.js';
import { SpeedMeter, StageTimer, type RenderControl } from '../../core/video/progress.js';
import { layerAt, type LayerSchedule } from '../../core/video/schedule.js';
import { checkInteger, invalid } from '../../core/options/checks.js';
import { checkVideoOptions, VIDEO_WIDTH } from '../../core/options/render.js';
import { blend, warpByFlow } from '../../core/video/warp.js';
import { warmUpPasses, withStrength } from '../../core/video/feedback.js';
import type { RenderResult } from './zoom.js';

export interface VideoOptions {
  input: string;
  output: string;
  /** Seconds into the input where the render starts / ends. */
  start?: number;
  end?: number;
  /** Stop after this many frames. */
  maxFrames?: number;
  /** Output width (height follows the aspect ratio); default: the input's. */
  width?: number;
  /** Quick look: at most PREVIEW_WIDTH wide, in its own work folder. */
  preview?: boolean;
  /** Weight of the flow-warped previous dream against the current frame, 0..1 (0: dream each frame alone). */
  blend: number;
  /**
   * How much of each dream's change to its frame is kept (default 1: all of it; 2: twice as strong).
   * With `blend` b, the dream a frame shows builds up to about strength / (1 - b) times one dream;
   * the first frame is dreamed over several times to start there (see core/video/feedback.ts).
   */
  strength?: number;
  schedule: LayerSchedule;
  seed: number;
  /** Everything else that shapes the dream (its resolved options), for the work folder's hash. */
  dreamSettings: Record<string, unknown>;
  restart?: boolean;
  keepFrames?: boolean;
  /** Stored in the output (see recipe.ts); not part of the frames' settings. */
  recipe?: Recipe;
}

/** A video render checked and set up by prepareVideo, for renderVideo. */
export interface PreparedVideo {
  options: VideoOptions;
  info: VideoInfo;
  target: OutputTarget;
  width: number;
  height: number;
  /** Seconds of input to read from `start`; undefined: to the end. */
  duration?: number;
  /** Expected frame count (for progress), refined while decoding. */
  estimatedFrames: number;
  work: WorkFolder;
}

const PREVIEW_WIDTH = 320;

/**
 * Checks the options, probes the input, checks the range and output, and opens the work folder,
 * before any model is loaded.
 */
export async function prepareVideo(options: VideoOptions): Promise<PreparedVideo> {
  checkVideoOptions(options);
  const target = outputTarget(options.output);
  const info = await probeVideo(options.input);
  const start = options.start ?? 0;
  if (Number.isFinite(info.duration) && start >= info.duration) {
    throw invalid('start', `before the end of ${options.input} at ${info.duration.toFixed(2)}s`, start);
  }
  let width = Math.min(options.width ?? info.width, options.preview ? PREVIEW_WIDTH : Infinity);
  // A width given is checked above; the input's own must fit the same range.
  if (options.width === undefined) checkInteger('width', width, VIDEO_WIDTH);
  let height = Math.max(8, Math.round((info.height * width) / info.width));
  if (needsEvenSize(target)) {
    width -= width % 2;
    height -= height % 2;
  }
  await checkOutputWritable(target);
  const duration = options.end !== undefined ? options.end - start : undefined;
  const seconds = duration ?? (Number.isFinite(info.duration) ? info.duration - start : 0);
  const estimatedFrames = Math.min(options.maxFrames ?? Infinity, Math.max(1, Math.round(seconds * info.fps)));
  await checkFrameSpace(target, workFolderFor(options.output, options.preview), estimatedFrames, { width, height });
  const file = await stat(options.input);
  const settings = {
    input: { path: resolve(options.input), bytes: file.size, modified: file.mtimeMs },
    start,
    width,
    height,
    fps: info.fpsExpr,
    blend: options.blend,
    strength: options.strength ?? 1,
    schedule: options.schedule,
    seed: options.seed,
    dream: options.dreamSettings,
  };
  const work = await openWorkFolder(workFolderFor(options.output, options.preview), 'video', settings, options.restart);
  return { options, info, target, width, height, ...(duration !== undefined && { duration }), estimatedFrames, work };
}

/** One frame's dream at the render's strength; `passes` > 1 warms the first frame up. */
async function dreamFrame(
  frame: { input: RgbImage; original: RgbImage; index: number; layer: string | undefined; passes: number },
  options: VideoOptions,
  dream: FrameDreamer,
  signal: AbortSignal | undefined,
): Promise<RgbImage> {
  const strength = options.strength ?? 1;
  let dreamed = withStrength(frame.input, await dream(frame.input, frame.index, frame.layer, signal), strength);
  for (let pass = 1; pass < frame.passes; pass++) {
    const input = blend(dreamed, frame.original, options.blend);
    dreamed = withStrength(input, await dream(input, frame.index, frame.layer, signal), strength);
  }
  return dreamed;
}

/**
 * Decodes the range, dreams the frames not checkpointed yet, then encodes with the audio.
 * Checkpointed frames are skipped (decoded, not dreamed); the last one is read back as the
 * feedback state, exactly as an uninterrupted run would have it (8-bit).
 */
export async function renderVideo(
  video: PreparedVideo,
  dream: FrameDreamer,
  control: RenderControl = {},
): Promise<RenderResult> {
  const { options, work, width, height } = video;
  const timer = new StageTimer();
  const speed = new SpeedMeter();
  const drift = new DriftTracker();
  const limit = options.maxFrames ?? Infinity;
  let total = video.estimatedFrames;
  let previousOriginal: RgbImage | undefined;
  let previousDream: RgbImage | undefined;
  let index = 0;
  const frames = decodeFrames(options.input, {
    width,
    height,
    fpsExpr: video.info.fpsExpr,
    ...(options.start !== undefined && { start: options.start }),
    ...(video.duration !== undefined && { duration: video.duration }),
  });
  try {
    for (;;) {
      if (index >= limit) break;
      const next = await timer.time('decode', () => frames.next());
      if (next.done) break;
      if (index < work.done - 1) {
        // Finished earlier and not the last checkpoint: decoded only to keep the frames in step.
        if (index === 0) drift.reference = colorStats(await readFramePng(work.framePath(0)));
        index++;
        continue;
      }
      const original = fromBytes(width, height, next.value);
      let dreamed: RgbImage;
      if (index < work.done) {
        // The last checkpoint: the state the next frame starts from, as an uninterrupted run had it.
        dreamed = await readFramePng(work.framePath(index));
        if (index === 0) drift.reference = colorStats(dreamed);
      } else {
        control.signal?.throwIfAborted();
        const layer = layerAt(options.schedule, index);
        let input = original;
        if (previousDream && previousOriginal && options.blend > 0) {
          const flow = await timer.time('flow', () => backwardFlow(previousOriginal!, original));
          input = await timer.time('warp', () => blend(warpByFlow(previousDream!, flow), original, options.blend));
        }
        const passes = index === 0 ? warmUpPasses(options.blend) : 1;
        const frame = { input, original, index, layer, passes };
        dreamed = roundFrame(await timer.time('dream', () => dreamFrame(frame, options, dream, control.signal)));
        await timer.time('checkpoint', () => writeFramePng(work.framePath(index), dreamed));
        const color = drift.observe(dreamed);
        speed.frameDone();
        total = Math.max(total, index + 1);
        control.onProgress?.({
          phase: 'dream',
          done: index + 1,
          total,
          resumed: work.done,
          framesPerMinute: speed.framesPerMinute(),
          etaSeconds: speed.etaSeconds(total - index - 1),
          ...(layer !== undefined && { layer }),
          color,
        });
      }
      previousOriginal = original;
      previousDream = dreamed;
      index++;
    }
  } finally {
    // Stops ffmpeg when the loop ends early (frame limit, abort, error).
    await frames.return(undefined);
  }
  if (index === 0) throw new Error(`no frames in the chosen range of ${options.input}`);
  total = index;
  control.onProgress?.({ phase: 'encode', done: total, total, resumed: Math.min(work.done, total) });
  const audio: AudioSource | undefined = video.info.audioCodec
    ? {
        path: options.input,
        codec: video.info.audioCodec,
        ...(options.start !== undefined && { start: options.start }),
        duration: total / video.info.fps,
      }
    : undefined;
  await timer.time('encode', () =>
    encodeOutput(video.target, work.dir, { frames: total, fpsExpr: video.info.fpsExpr, audio, recipe: options.recipe }),
  );
  if (!options.keepFrames) await rm(work.dir, { recursive: true, force: true });
  return {
    output: options.output,
    frames: total,
    resumed: Math.min(work.done, total),
    timings: timer.timings,
    maxDrift: drift.max,
  };
}
