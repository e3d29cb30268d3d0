/**
 * The per-user cache of converted models: ${XDG_CACHE_HOME:-~/.cache}/inceptionism/models,
 * or $INCEPTIONISM_CACHE_DIR. Files are named by content hash, so a stale file is never read.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../image/files.js';

export const CACHE_DIR_ENV = 'INCEPTIONISM_CACHE_DIR';

/** ${XDG_CACHE_HOME:-~/.cache}/inceptionism, where the caches live unless $INCEPTIONISM_CACHE_DIR says otherwise. */
export function userCacheDir(): string {
  const xdg = process.env['XDG_CACHE_HOME'];
  return join(xdg ? xdg : join(homedir(), '.cache'), 'inceptionism');
}

export function modelCacheDir(cacheDir?: string): string {
  const explicit = cacheDir ?? process.env[CACHE_DIR_ENV];
  if (explicit) return explicit;
  return join(userCacheDir(), 'models');
}

/** First 16 hex digits of the SHA-256 of `parts` (each length-prefixed so boundaries count). */
function contentKey(parts: (string | Uint8Array)[]): string {
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

/** Creates the folder, then writes via a temporary file and rename (readers never see a partial file). */
export async function writeCachedAtomically(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, bytes);
}

/** What identifies a source file's contents cheaply: path, size and modification time. */
type FileStamp = [path: string, size: number, mtimeMs: number];

/** The files' stamps, or undefined when one cannot be read (reading the files then reports why). */
async function fileStamps(paths: string[]): Promise<FileStamp[] | undefined> {
  try {
    return await Promise.all(
      paths.map(async (path) => {
        const { size, mtimeMs } = await stat(path);
        return [path, size, mtimeMs] as FileStamp;
      }),
    );
  } catch {
    return undefined;
  }
}

/**
 * contentKey(prefix + the files' bytes) without reading the files when they are unchanged since
 * the last call: the key is remembered in `memoPath` next to the files' sizes and modification
 * times (reading and hashing the bundled weights cost 0.17 s per load). `readFiles` reads the bytes when
 * the stamps differ; `remember` (after the caller's success) writes the memo.
 */
export async function memoizedContentKey(
  memoPath: string,
  prefix: string[],
  paths: string[],
  readFiles: () => Promise<Buffer[]>,
): Promise<{ key: string; remember: () => Promise<void> }> {
  const stamps = await fileStamps(paths);
  const remembered = stamps && rememberedKey(await readCached(memoPath), JSON.stringify({ prefix, stamps }));
  if (remembered) return { key: remembered, remember: async () => undefined };
  const key = contentKey([...prefix, ...(await readFiles())]);
  const memo = Buffer.from(JSON.stringify({ prefix, stamps, key }));
  const remember = () => writeCachedAtomically(memoPath, memo).catch(() => undefined);
  return { key, remember };
}

/** The key in a memo written for exactly these prefix and stamps, else undefined (also when unreadable). */
function rememberedKey(memo: Buffer | undefined, expected: string): string | undefined {
  if (!memo) return undefined;
  try {
    const { key, ...rest } = JSON.parse(memo.toString('utf8')) as { key?: unknown };
    return typeof key === 'string' && JSON.stringify(rest) === expected ? key : undefined;
  } catch {
    return undefined;
  }
}
