/**
 * Where a render goes: MP4 (H.264 yuv420p), WebM (VP9), GIF (with a palette made for the clip)
 * or a PNG sequence (a name pattern like "out/%05d.png", or a folder). Checked before any frame
 * is dreamed, so an unwritable output fails at once rather than after hours of work.
 */
import { mkdir, stat, statfs } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { checkWritable, describeFsError } from '../image/files.js';
import { finishedFrames } from './checkpoint.js';

export type OutputKind = 'mp4' | 'webm' | 'gif' | 'png';

export interface OutputTarget {
  kind: OutputKind;
  path: string;
  /** PNG sequences: the file name pattern (printf-style %d / %05d), the folder included. */
  pattern?: string;
}

export const KIND_BY_EXTENSION: Readonly<Record<string, OutputKind>> = {
  '.mp4': 'mp4',
  '.m4v': 'mp4',
  '.mov': 'mp4',
  '.webm': 'webm',
  '.gif': 'gif',
};

/** The frame number in a PNG sequence's name pattern. */
export const FRAME_PATTERN = /%(0?\d*)d/;
const SUPPORTED_OUTPUTS = '.mp4, .mov, .m4v, .webm, .gif, a PNG pattern like frames/%05d.png, or a folder/';

export function outputTarget(path: string): OutputTarget {
  const ext = extname(path).toLowerCase();
  if (FRAME_PATTERN.test(basename(path))) {
    if (ext !== '.png') throw new Error(`frame patterns must end in .png (got ${path})`);
    return { kind: 'png', path, pattern: path };
  }
  if (/[\\/]$/.test(path) || ext === '') return { kind: 'png', path, pattern: join(path, '%06d.png') };
  const kind = KIND_BY_EXTENSION[ext];
  if (!kind) throw new Error(`unsupported output format '${ext}' (use ${SUPPORTED_OUTPUTS})`);
  return { kind, path };
}

/** yuv420p (MP4, WebM) needs even sides. */
export const needsEvenSize = (target: OutputTarget): boolean => target.kind === 'mp4' || target.kind === 'webm';

/** Frame i's file name in a PNG sequence output. */
export function sequencePath(pattern: string, index: number): string {
  return pattern.replace(FRAME_PATTERN, (_m, width: string) => String(index).padStart(Number(width || '0'), '0'));
}

/** Proves the output can be written by creating (and removing) a file where it will go. */
export async function checkOutputWritable(target: OutputTarget): Promise<void> {
  if (target.pattern) {
    const folder = dirname(target.pattern);
    await mkdir(folder, { recursive: true }).catch((err: unknown) => {
      throw new Error(`cannot write ${target.path}: ${describeFsError(err, target.pattern!, 'write')}`, { cause: err });
    });
    return checkWritable(target.pattern, target.path);
  }
  const existing = await stat(target.path).catch(() => undefined);
  if (existing?.isDirectory()) throw new Error(`cannot write ${target.path}: it is a folder`);
  await checkWritable(target.path);
}

/**
 * Refuses a render whose frames cannot fit on the disk of its work folder, before the first one is
 * dreamed. Each frame is checkpointed as a PNG, at least half its raw size (dreams are full of
 * detail), and a PNG sequence output copies them all; frames already checkpointed need no room.
 */
export async function checkFrameSpace(
  target: OutputTarget,
  workDir: string,
  frames: number,
  size: { width: number; height: number },
): Promise<void> {
  const frameBytes = (size.width * size.height * 3) / 2;
  const copies = target.kind === 'png' ? frames : 0;
  const needed = (frames - Math.min(frames, await finishedFrames(workDir)) + copies) * frameBytes;
  const folder = dirname(workDir);
  const { bavail, bsize } = await statfs(folder);
  const free = bavail * bsize;
  if (needed > free) {
    throw new Error(
      `not enough disk space for ${frames} frames of ${size.width}x${size.height}: they need at least ${gigabytes(needed)} in ${folder}, which has ${gigabytes(free)} free`,
    );
  }
}

const gigabytes = (bytes: number): string => `${(bytes / 1e9).toFixed(bytes < 1e10 ? 1 : 0)} GB`;
