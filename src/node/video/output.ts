/**
 * Where a render goes: MP4 (H.264 yuv420p), WebM (VP9), GIF (with a palette made for the clip)
 * or a PNG sequence (a name pattern like "out/%05d.png", or a folder). Checked before any frame
 * is dreamed, so an unwritable output fails at once rather than after hours of work.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

export type OutputKind = 'mp4' | 'webm' | 'gif' | 'png';

export interface OutputTarget {
  kind: OutputKind;
  path: string;
  /** PNG sequences: the file name pattern (printf-style %d / %05d), the folder included. */
  pattern?: string;
}

const KIND_BY_EXTENSION: Readonly<Record<string, OutputKind>> = {
  '.mp4': 'mp4',
  '.m4v': 'mp4',
  '.mov': 'mp4',
  '.webm': 'webm',
  '.gif': 'gif',
};

const FRAME_PATTERN = /%(0?\d*)d/;
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

/** The folder files of this output are written to (created for PNG sequences). */
function outputFolder(target: OutputTarget): string {
  return target.pattern ? dirname(target.pattern) : dirname(target.path);
}

/** Proves the output can be written by creating (and removing) a file where it will go. */
export async function checkOutputWritable(target: OutputTarget): Promise<void> {
  const folder = outputFolder(target);
  if (target.kind !== 'png') {
    const existing = await stat(target.path).catch(() => undefined);
    if (existing?.isDirectory()) throw new Error(`cannot write ${target.path}: it is a folder`);
  }
  const probe = join(folder, `.deepdream-probe-${randomBytes(4).toString('hex')}`);
  try {
    if (target.kind === 'png') await mkdir(folder, { recursive: true });
    await writeFile(probe, '');
    await unlink(probe);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `folder ${folder} does not exist`
        : code === 'ENOTDIR' || code === 'EEXIST'
          ? `${folder} is not a folder`
          : code === 'EACCES' || code === 'EPERM'
            ? `permission denied in ${folder}`
            : code === 'EROFS'
              ? 'read-only file system'
              : (err as Error).message;
    throw new Error(`cannot write ${target.path}: ${why}`);
  }
}
