import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The ffmpeg binary: $FFMPEG_PATH when set, else the one shipped by @ffmpeg-installer/ffmpeg. */
export function ffmpegPath(): string {
  const fromEnv = process.env.FFMPEG_PATH;
  if (fromEnv) return fromEnv;
  return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

export interface FfmpegResult {
  code: number;
  /** What ffmpeg wrote to "pipe:1" (text outputs such as ffmetadata). */
  stdout: string;
  stderr: string;
}

/** Runs ffmpeg to completion (no stdin) and returns its exit code, stdout and stderr. */
export function runFfmpeg(args: string[]): Promise<FfmpegResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath(), ['-hide_banner', '-nostdin', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (err) => reject(new Error(`cannot run ffmpeg (${ffmpegPath()}): ${err.message}`)));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The most telling line of an ffmpeg error log: the last line, skipping progress and "Conversion failed". */
export function ffmpegErrorLine(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('frame=') && !/^Conversion failed/.test(l));
  return lines.at(-1) ?? 'ffmpeg failed';
}
