/** File access with one-line error messages, and atomic writes (never a partial output file). */
import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Reads a whole file; errors say what went wrong in words ("cannot read x.jpg: no such file"). */
export async function readInputFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new Error(`cannot read ${path}: ${describeFsError(err, path, 'read')}`, { cause: err });
  }
}

/**
 * Writes `data` to a temporary file in the destination folder, then renames it over `path`, so
 * readers see either the old file or the complete new one.
 */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, data, { flag: 'wx' });
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw new Error(`cannot write ${path}: ${describeFsError(err, path, 'write')}`, { cause: err });
  }
}

/**
 * Proves that `path` can be written, before any work is done for it, by creating and removing a
 * file beside it. Throws the error writeFileAtomic would ("cannot write x.png: folder out does not exist"),
 * naming the output `name` (default: `path`).
 */
export async function checkWritable(path: string, name = path): Promise<void> {
  const probe = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(probe, '', { flag: 'wx' });
    await unlink(probe);
  } catch (err) {
    throw new Error(`cannot write ${name}: ${describeFsError(err, path, 'write')}`, { cause: err });
  }
}

/** Why an access to `path` failed, in words. */
export function describeFsError(err: unknown, path: string, access: 'read' | 'write'): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return access === 'write' ? `folder ${dirname(path)} does not exist` : 'no such file';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOTDIR':
    case 'EEXIST':
      return `${dirname(path)} is not a folder`;
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on the disk';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
