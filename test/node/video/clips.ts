/** Tiny synthetic clips made with the bundled ffmpeg, and ways to look at rendered output. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runFfmpeg } from '../../../src/node/video/ffmpeg.js';
import { decodeFrames } from '../../../src/node/video/decode.js';
import { fromBytes, readFramePng } from '../../../src/node/video/frames.js';
import { probeVideo } from '../../../src/node/video/probe.js';
import type { RgbImage } from '../../../src/core/image/rgb.js';

export interface ClipOptions {
  seconds: number;
  fps: number;
  audio?: boolean;
  /** One flat grey (96 of 255) instead of the test pattern. */
  flat?: boolean;
}

/**
 * A 96x64 H.264 clip panning across ffmpeg's test pattern (textured, so optical flow has
 * something to follow), with a 440 Hz tone when `audio`.
 */
export async function makeClip(path: string, opts: ClipOptions): Promise<void> {
  const source = opts.flat ? 'color=c=0x606060:' : 'testsrc=';
  const args = ['-y', '-f', 'lavfi', '-i', `${source}size=192x128:rate=${opts.fps}`];
  if (opts.audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=22050');
  args.push('-t', String(opts.seconds), '-vf', 'crop=96:64:t*40:t*20', '-c:v', 'libx264', '-pix_fmt', 'yuv420p');
  if (opts.audio) args.push('-c:a', 'aac');
  const { code, stderr } = await runFfmpeg([...args, path]);
  if (code !== 0) throw new Error(`making test clip failed: ${stderr.slice(-500)}`);
}

export async function ffmpegInfo(path: string): Promise<string> {
  return (await runFfmpeg(['-i', path])).stderr;
}

/** Decoded frame count and duration as ffmpeg's null muxer counts them. */
export async function countFrames(path: string): Promise<number> {
  const { stderr } = await runFfmpeg(['-i', path, '-map', '0:v:0', '-f', 'null', '-']);
  const matches = [...stderr.matchAll(/frame=\s*(\d+)/g)];
  return Number(matches.at(-1)?.[1] ?? NaN);
}

export function durationOf(info: string): number {
  const m = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(info);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : NaN;
}

export async function workFrames(dir: string): Promise<RgbImage[]> {
  const names = (await readdir(dir)).filter((n) => /^\d{6}\.png$/.test(n)).sort();
  return Promise.all(names.map((n) => readFramePng(join(dir, n))));
}

/** The frames of a clip at its own size and rate, as rendering decodes them. */
export async function decodedFrames(path: string): Promise<RgbImage[]> {
  const { width, height, fpsExpr } = await probeVideo(path);
  const frames: RgbImage[] = [];
  for await (const bytes of decodeFrames(path, { width, height, fpsExpr }))
    frames.push(fromBytes(width, height, bytes));
  return frames;
}

/** Mean of all values of a frame, 0..255. */
export function meanLevel(frame: RgbImage): number {
  return frame.data.reduce((sum, v) => sum + v, 0) / frame.data.length;
}

/** Mean absolute difference between consecutive frames, per value. */
export function meanFrameChange(frames: RgbImage[]): number {
  let sum = 0;
  let count = 0;
  for (let f = 1; f < frames.length; f++) {
    const a = frames[f - 1]!.data;
    const b = frames[f]!.data;
    for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
    count += a.length;
  }
  return sum / count;
}
