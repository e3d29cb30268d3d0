/**
 * The rules of zoom and video render options that need no file, folder or probe: prepareZoom and
 * prepareVideo check them first, so a bad value fails before anything is read or written.
 */
import { checkInteger, checkNumber, must, OptionError, type Range } from './checks.js';

/** Frame widths a video render accepts (given, or the input's own). */
export const VIDEO_WIDTH: Range = { min: 8, max: 8192 };
/** Multiples of each frame's dream a video render may keep (VideoOptions.strength). */
export const VIDEO_STRENGTH: Range = { over: 0, max: 10 };

/** A zoom frame's dream settings: lighter than a still's, since every frame builds on the last. */
export const ZOOM_DREAM_DEFAULTS = { octaves: 2, steps: 5 } as const;

/** A zoom's own settings when not given: 4 s at 25 frames a second, zooming in 2% a frame. */
export const ZOOM_DEFAULTS = { frames: 100, fps: 25, zoom: 1.02, colorLock: 0.2 } as const;

export interface ZoomValues {
  frames: number;
  fps: number;
  move: { zoom: number };
  colorLock: number;
}

export interface VideoValues {
  blend: number;
  strength?: number;
  start?: number;
  end?: number;
  maxFrames?: number;
  width?: number;
}

export function checkZoomOptions(options: ZoomValues): void {
  checkInteger('frames', options.frames, { min: 1 });
  checkNumber('fps', options.fps, { over: 0, max: 240 });
  checkNumber('move.zoom', options.move.zoom, { over: 0.5, under: 2 });
  checkNumber('colorLock', options.colorLock, { min: 0, max: 1 });
}

export function checkVideoOptions(options: VideoValues): void {
  checkNumber('blend', options.blend, { min: 0, max: 1 });
  if (options.strength !== undefined) checkNumber('strength', options.strength, VIDEO_STRENGTH);
  const start = options.start === undefined ? 0 : checkNumber('start', options.start, { min: 0 });
  const { end } = options;
  if (end !== undefined && !(end > start)) {
    throw new OptionError('end', (name) => must(`be after ${name('start')}`, end));
  }
  if (options.maxFrames !== undefined) checkInteger('maxFrames', options.maxFrames, { min: 1 });
  if (options.width !== undefined) checkInteger('width', options.width, VIDEO_WIDTH);
}
