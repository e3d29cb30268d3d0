import { stat } from 'node:fs/promises';
import { ffmpegErrorLine, runFfmpeg } from './ffmpeg.js';

/** What `ffmpeg -i` tells about a video file (ffprobe is not shipped with the npm ffmpeg). */
export interface VideoInfo {
  width: number;
  height: number;
  /** Frames per second as ffmpeg prints it (e.g. 29.97). */
  fps: number;
  /** Exact rate for ffmpeg arguments, e.g. "30000/1001". */
  fpsExpr: string;
  /** Seconds; NaN when the container does not say. */
  duration: number;
  videoCodec: string;
  /** Codec of the first audio stream, absent when there is none. */
  audioCodec?: string;
}

// NTSC-style rates print rounded; map them back to their exact fractions.
const NTSC_RATES: Record<string, string> = {
  '23.98': '24000/1001',
  '29.97': '30000/1001',
  '59.94': '60000/1001',
  '119.88': '120000/1001',
};

function parseRate(text: string): number {
  return text.endsWith('k') ? parseFloat(text) * 1000 : parseFloat(text);
}

/** Parses the "Input #0" section of ffmpeg's stderr. Exported for tests. */
export function parseFfmpegInfo(stderr: string, path: string): VideoInfo {
  const video = /Stream #0:\d+[^:]*: Video: (\w+)[^\n]*?, (\d{2,5})x(\d{2,5})[^\n]*/.exec(stderr);
  if (!video) throw new Error(`${path} has no video stream`);
  const line = video[0];
  const rate = / ([\d.]+k?) fps/.exec(line) ?? / ([\d.]+k?) tbr/.exec(line);
  if (!rate) throw new Error(`${path}: cannot tell the frame rate of its video stream`);
  const fps = parseRate(rate[1]!);
  if (!(fps > 0)) throw new Error(`${path}: invalid frame rate ${rate[1]}`);
  const dur = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(stderr);
  const duration = dur ? Number(dur[1]) * 3600 + Number(dur[2]) * 60 + Number(dur[3]) : NaN;
  const audio = /Stream #0:\d+[^:]*: Audio: (\w+)/.exec(stderr);
  return {
    videoCodec: video[1]!,
    width: Number(video[2]),
    height: Number(video[3]),
    fps,
    fpsExpr: NTSC_RATES[rate[1]!] ?? String(fps),
    duration,
    ...(audio ? { audioCodec: audio[1]! } : {}),
  };
}

/** Probes a video file; throws a one-line Error for a missing, unreadable or non-video file. */
export async function probeVideo(path: string): Promise<VideoInfo> {
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new Error(`video not found: ${path}`);
  if (!st.isFile()) throw new Error(`not a video file: ${path}`);
  const { stderr } = await runFfmpeg(['-i', path]);
  if (!/^Input #0/m.test(stderr)) {
    throw new Error(`cannot read video ${path}: ${ffmpegErrorLine(stderr).replace(`${path}: `, '')}`);
  }
  return parseFfmpegInfo(stderr, path);
}
