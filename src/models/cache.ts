/**
 * The per-user cache of converted models: ${XDG_CACHE_HOME:-~/.cache}/inceptionism/models,
 * or $INCEPTIONISM_CACHE_DIR. Files are named by content hash, so a stale file is never read.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const CACHE_DIR_ENV = 'INCEPTIONISM_CACHE_DIR';

export function modelCacheDir(cacheDir?: string): string {
  const explicit = cacheDir ?? process.env[CACHE_DIR_ENV];
  if (explicit) return explicit;
  const xdg = process.env['XDG_CACHE_HOME'];
  return join(xdg ? xdg : join(homedir(), '.cache'), 'inceptionism', 'models');
}

/** First 16 hex digits of the SHA-256 of `parts` (each length-prefixed so boundaries count). */
export function contentKey(parts: (string | Uint8Array)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part) : part;
    hash.update(`${bytes.length}:`).update(bytes);
  }
  return hash.digest('hex').slice(0, 16);
}

/** The file's bytes, or undefined when it does not exist or cannot be read. */
export async function readCached(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch {
    return undefined;
  }
}

/** Writes via a temporary file and rename, so readers never see a partial file. */
export async function writeCachedAtomically(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
