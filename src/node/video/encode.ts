/**
 * Turns the checkpointed frames into the output: ffmpeg reads the work folder's PNGs (and the
 * source's audio, trimmed to the same range) and writes a temporary file that is renamed into
 * place only when complete. Bit-exact flags and a fixed encoder thread count keep the bytes a
 * function of the frames (and the recipe) alone, on any machine.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../image/files.js';
import type { Recipe } from '../image/recipe.js';
import { ffmpegErrorLine, runFfmpeg } from './ffmpeg.js';
import { framePath } from './checkpoint.js';
import { sequencePath, type OutputTarget } from './output.js';
import { gifWithRecipe, recipeJson, recipeMetadataArgs, SEQUENCE_RECIPE } from './recipe.js';

export interface AudioSource {
  path: string;
  codec: string;
  /** Seconds, the same range the frames were decoded from. */
  start?: number;
  duration?: number;
}

export interface EncodeOptions {
  frames: number;
  /** ffmpeg rate expression ("25", "30000/1001"). */
  fpsExpr: string;
  audio?: AudioSource;
  /** Stored in the output (see recipe.ts). */
  recipe?: Recipe;
}

// Audio codecs each container takes as they are; others are re-encoded.
const COPYABLE_AUDIO: Record<'mp4' | 'webm', ReadonlySet<string>> = {
  mp4: new Set(['aac', 'mp3', 'ac3', 'eac3', 'alac']),
  webm: new Set(['opus', 'vorbis']),
};

const VIDEO_CODEC_ARGS: Record<'mp4' | 'webm' | 'gif', string[]> = {
  mp4: [
    '-c:v',
    'libx264',
    '-preset',
    'medium',
    '-crf',
    '18',
    // x264 picks its thread count from the CPU count, and its output depends on it.
    '-threads',
    '4',
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
  ],
  webm: ['-c:v', 'libvpx-vp9', '-crf', '32', '-b:v', '0', '-row-mt', '1', '-pix_fmt', 'yuv420p', '-f', 'webm'],
  gif: ['-filter_complex', '[0:v]split[a][b];[a]palettegen=stats_mode=full[p];[b][p]paletteuse', '-f', 'gif'],
};

function audioArgs(kind: 'mp4' | 'webm', audio: AudioSource): string[] {
  if (COPYABLE_AUDIO[kind].has(audio.codec)) return ['-c:a', 'copy'];
  return kind === 'mp4' ? ['-c:a', 'aac', '-b:a', '192k'] : ['-c:a', 'libopus', '-b:a', '128k'];
}

/** "30000/1001" -> 29.97. */
function rateValue(expr: string): number {
  const [num, den = '1'] = expr.split('/');
  return Number(num) / Number(den);
}

export async function encodeOutput(target: OutputTarget, workDir: string, opts: EncodeOptions): Promise<void> {
  if (target.kind === 'png') return copySequence(target.pattern!, workDir, opts.frames, opts.recipe);
  const args = ['-y', '-framerate', opts.fpsExpr, '-start_number', '0', '-i', join(workDir, '%06d.png')];
  const withAudio = opts.audio && target.kind !== 'gif' ? opts.audio : undefined;
  if (withAudio) {
    if (withAudio.start) args.push('-ss', String(withAudio.start));
    if (withAudio.duration !== undefined) args.push('-t', String(withAudio.duration));
    args.push('-i', withAudio.path, '-map', '0:v:0', '-map', '1:a:0');
  }
  // Length as a duration, not -frames:v: that would end the file before the audio is muxed.
  args.push('-t', (opts.frames / rateValue(opts.fpsExpr)).toFixed(6), ...VIDEO_CODEC_ARGS[target.kind]);
  if (withAudio && target.kind !== 'gif') args.push(...audioArgs(target.kind, withAudio));
  args.push('-map_metadata', '-1', '-fflags', '+bitexact', '-flags', '+bitexact');
  if (opts.recipe && target.kind !== 'gif') args.push(...recipeMetadataArgs(opts.recipe));
  const temp = join(dirname(target.path), `.${basename(target.path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const { code, stderr } = await runFfmpeg([...args, temp]);
    if (code !== 0) throw new Error(`cannot encode ${target.path}: ${ffmpegErrorLine(stderr)}`);
    // ffmpeg's GIF muxer writes no comments: the recipe goes in afterwards.
    if (opts.recipe && target.kind === 'gif') await writeFile(temp, gifWithRecipe(await readFile(temp), opts.recipe));
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await rename(temp, target.path);
}

/** PNG sequence: the checkpoints are already the frames, each copied in atomically; the recipe beside them. */
async function copySequence(pattern: string, workDir: string, frames: number, recipe?: Recipe): Promise<void> {
  for (let i = 0; i < frames; i++) {
    const destination = sequencePath(pattern, i);
    const temp = join(dirname(destination), `.${basename(destination)}.tmp`);
    await copyFile(framePath(workDir, i), temp);
    await rename(temp, destination);
  }
  if (recipe) await writeFileAtomic(join(dirname(pattern), SEQUENCE_RECIPE), Buffer.from(recipeJson(recipe)));
}
