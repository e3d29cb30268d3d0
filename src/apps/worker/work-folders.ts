/**
 * Where the workers of one machine keep a running zoom's frames: a folder per dream under the
 * system's temporary folder, shared by every worker there, so a zoom put back in line (its worker
 * stopped or killed) continues from its frames when a worker of this machine takes it up again.
 * A zoom finished elsewhere leaves its folder here: folders unchanged for a day are removed.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Folders untouched for this long belong to dreams that ended on another machine. */
const STALE_MS = 24 * 3600 * 1000;

export const workRoot = (): string => join(tmpdir(), 'inceptionism-worker');

/** Dream `id`'s folder; undefined for an id that is no plain name (ids are the studio's UUIDs). */
export function workFolder(id: string): string | undefined {
  return /^[\w-]+$/.test(id) ? join(workRoot(), id) : undefined;
}

export async function removeStaleWork(now = Date.now()): Promise<void> {
  const root = workRoot();
  const names = await readdir(root).catch(() => [] as string[]);
  for (const name of names) {
    const folder = join(root, name);
    const changed = await stat(folder).then(
      (info) => info.mtimeMs,
      () => now,
    );
    if (now - changed > STALE_MS) await rm(folder, { recursive: true, force: true });
  }
}
