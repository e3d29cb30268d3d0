/**
 * The work folder of a render (OUT.frames/ next to the output): one PNG per finished frame and a
 * manifest with the hash of every setting that shapes the frames. Running the same render again
 * continues after the last finished frame; different settings are refused rather than mixed.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { OptionError } from '../../core/options/checks.js';
import { writeFileAtomic } from '../image/files.js';

const MANIFEST = 'manifest.json';

export interface Manifest {
  kind: 'zoom' | 'video';
  /** sha256 of `settings`. */
  settingsHash: string;
  /** Everything that decides the pixels of frame i (not the frame count, fps or output format). */
  settings: Record<string, unknown>;
}

export interface WorkFolder {
  dir: string;
  /** Frames 0..done-1 are finished. */
  done: number;
  framePath(index: number): string;
}

/**
 * The work folder for an output: "out.mp4" -> "out.mp4.frames", "frames/" -> "frames.frames";
 * previews get their own ("out.mp4.preview.frames") so they never clash with the full render.
 */
export function workFolderFor(output: string, preview = false): string {
  return `${output.replace(/[\\/]+$/, '')}${preview ? '.preview' : ''}.frames`;
}

export const framePath = (dir: string, index: number): string => join(dir, `${String(index).padStart(6, '0')}.png`);

/** JSON with object keys sorted, so equal settings hash equally. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

export function settingsHash(settings: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(settings)).digest('hex');
}

/**
 * Opens (or creates) the work folder. `restart` throws away frames of an earlier render.
 * Throws a one-line Error when the folder holds a render with other settings (an OptionError
 * about `restart`, the option that would replace it).
 */
export async function openWorkFolder(
  dir: string,
  kind: Manifest['kind'],
  settings: Record<string, unknown>,
  restart = false,
): Promise<WorkFolder> {
  const manifest: Manifest = { kind, settingsHash: settingsHash(settings), settings };
  const existing = await stat(dir).catch(() => undefined);
  if (existing && !existing.isDirectory()) throw new Error(`cannot use work folder ${dir}: a file has that name`);
  if (existing) {
    const previous = await readManifest(dir);
    if (!previous) {
      if ((await readdir(dir)).length > 0)
        throw new Error(`work folder ${dir} exists and is not a deepdream render; move it away`);
    } else if (restart) {
      await rm(dir, { recursive: true, force: true });
    } else if (previous.settingsHash !== manifest.settingsHash || previous.kind !== kind) {
      throw new OptionError(
        'restart',
        `is needed to replace the render with other settings in ${dir} (or delete that folder)`,
      );
    }
  }
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new Error(
      `cannot create work folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  await removeTempFiles(dir);
  await writeFileAtomic(join(dir, MANIFEST), Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  return { dir, done: await finishedFrames(dir), framePath: (i) => framePath(dir, i) };
}

/** How many frames, from the first on, the work folder holds (0 when it does not exist). */
export async function finishedFrames(dir: string): Promise<number> {
  let done = 0;
  while (await stat(framePath(dir, done)).catch(() => undefined)) done++;
  return done;
}

async function readManifest(dir: string): Promise<Manifest | undefined> {
  const text = await readFile(join(dir, MANIFEST), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Manifest;
  } catch {
    throw new Error(`work folder ${dir} has a damaged ${MANIFEST}; delete the folder to start over`);
  }
}

/** Half-written frames of a killed render (atomic writes leave ".name.xxxx.tmp" files). */
async function removeTempFiles(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name.startsWith('.') && name.endsWith('.tmp')) await unlink(join(dir, name)).catch(() => undefined);
  }
}
