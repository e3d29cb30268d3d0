/**
 * The studio's files: each dream's photo (uploads/<id>, the bytes as uploaded) and result
 * (results/<id>.png). Every file is written whole or not at all: to a temporary name, synced,
 * then renamed into place, so a killed studio leaves at most a temporary file, removed on start.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

const TEMP_SUFFIX = '.tmp';
const FOLDERS = ['uploads', 'results'] as const;

export class DreamFiles {
  constructor(private readonly dir: string) {}

  async init(): Promise<void> {
    for (const folder of FOLDERS) await mkdir(join(this.dir, folder), { recursive: true });
  }

  readonly uploadPath = (id: string): string => join(this.dir, 'uploads', id);
  readonly resultPath = (id: string): string => join(this.dir, 'results', `${id}.png`);

  writeUpload(id: string, bytes: Uint8Array): Promise<void> {
    return writeAtomically(this.uploadPath(id), bytes);
  }

  writeResult(id: string, bytes: Uint8Array): Promise<void> {
    return writeAtomically(this.resultPath(id), bytes);
  }

  readUpload(id: string): Promise<Buffer> {
    return readFile(this.uploadPath(id));
  }

  readResult(id: string): Promise<Buffer> {
    return readFile(this.resultPath(id));
  }

  /** The result's size in bytes; undefined when there is none. */
  resultBytes(id: string): Promise<number | undefined> {
    return stat(this.resultPath(id)).then(
      (info) => info.size,
      () => undefined,
    );
  }

  async remove(id: string): Promise<void> {
    await Promise.all([rm(this.uploadPath(id), { force: true }), rm(this.resultPath(id), { force: true })]);
  }

  async removeResult(id: string): Promise<void> {
    await rm(this.resultPath(id), { force: true });
  }

  /** Removes temporary files and the files of dreams no row names (a kill before the row was written). */
  async removeOrphans(known: ReadonlySet<string>): Promise<void> {
    for (const folder of FOLDERS) {
      for (const name of await readdir(join(this.dir, folder))) {
        const id = name.replace(/\.png$/, '');
        if (name.endsWith(TEMP_SUFFIX) || !known.has(id)) await rm(join(this.dir, folder, name), { force: true });
      }
    }
  }
}

/** Writes `bytes` to `path` through a synced temporary file and a rename, then syncs the folder. */
async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
  const file = await open(temp, 'wx');
  try {
    await file.writeFile(bytes);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  const folder = await open(join(path, '..'), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
