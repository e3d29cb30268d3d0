import { spawn } from 'node:child_process';
import { ffmpegErrorLine, ffmpegPath } from './ffmpeg.js';

export interface DecodeOptions {
  width: number;
  height: number;
  /** Constant output frame rate (an ffmpeg rate expression): VFR input gets frames duplicated/dropped. */
  fpsExpr: string;
  /** Seconds from the start of the file. */
  start?: number;
  /** Seconds to read from `start`. */
  duration?: number;
}

/**
 * Decodes a video into raw RGB frames (Uint8Array, HWC, width*height*3 bytes each) through a pipe,
 * scaled to the requested size. Throws a one-line Error when ffmpeg fails (corrupt data, no decoder).
 */
export async function* decodeFrames(path: string, opts: DecodeOptions): AsyncGenerator<Uint8Array> {
  const args = ['-hide_banner', '-nostdin', '-v', 'error'];
  if (opts.start) args.push('-ss', String(opts.start));
  if (opts.duration !== undefined) args.push('-t', String(opts.duration));
  args.push('-i', path, '-an', '-sn', '-map', '0:v:0');
  args.push('-vf', `fps=${opts.fpsExpr},scale=${opts.width}:${opts.height}:flags=area`);
  args.push('-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1');
  const child = spawn(ffmpegPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => {
    stderr += c;
  });
  const exited = new Promise<number>((resolve) => {
    child.on('error', (err) => {
      stderr += `\ncannot run ffmpeg: ${err.message}`;
      resolve(-1);
    });
    child.on('close', (code) => resolve(code ?? -1));
  });
  const frameBytes = opts.width * opts.height * 3;
  let frame = new Uint8Array(frameBytes);
  let filled = 0;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - offset);
        frame.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === frameBytes) {
          yield frame;
          frame = new Uint8Array(frameBytes);
          filled = 0;
        }
      }
    }
    const code = await exited;
    if (code !== 0) throw new Error(`cannot decode ${path}: ${ffmpegErrorLine(stderr)}`);
  } finally {
    // The consumer may stop early (frame range, abort): don't leave ffmpeg running.
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
