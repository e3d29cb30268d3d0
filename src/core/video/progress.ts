/** Render progress: frames done, speed and ETA, plus colour drift and where the time went. */
import type { RgbImage } from '../image/rgb.js';
import type { ColorDrift } from './color.js';

export interface RenderProgress {
  phase: 'dream' | 'encode';
  /** Frames finished, checkpointed ones from an earlier run included. */
  done: number;
  /** Frames in the render (an estimate from the duration until a video is fully decoded). */
  total: number;
  /** Frames continued from an earlier, interrupted run. */
  resumed: number;
  /** Frames per minute dreamed by this run. */
  framesPerMinute?: number;
  etaSeconds?: number;
  layer?: string;
  /** The frame just finished: its luminance and saturation, and their drift from frame 0. */
  color?: ColorDrift;
}

export interface RenderControl {
  signal?: AbortSignal;
  onProgress?: (progress: RenderProgress) => void;
  /** Each frame dreamed by this run, as checkpointed (8-bit values), before its progress. */
  onFrame?: (frame: RgbImage, index: number) => void;
}

/** Milliseconds spent per stage (dream, decode, flow, warp, color, checkpoint, encode). */
export type StageTimings = Record<string, number>;

export class StageTimer {
  readonly timings: StageTimings = {};

  async time<T>(stage: string, work: () => Promise<T> | T): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.timings[stage] = (this.timings[stage] ?? 0) + performance.now() - started;
    }
  }
}

/** Frames per minute and ETA from the frames this run has dreamed so far. */
export class SpeedMeter {
  private readonly started = performance.now();
  private frames = 0;

  frameDone(): void {
    this.frames++;
  }

  framesPerMinute(): number | undefined {
    const minutes = (performance.now() - this.started) / 60_000;
    return this.frames > 0 && minutes > 0 ? this.frames / minutes : undefined;
  }

  etaSeconds(remaining: number): number | undefined {
    const fpm = this.framesPerMinute();
    return fpm ? (remaining / fpm) * 60 : undefined;
  }
}
