/**
 * The studio's files: each dream's photo (uploads/<id>, the bytes as uploaded), result
 * (results/<id>.png, a zoom's results/<id>.mp4) and, while a zoom runs, its checkpointed frames
 * (work/<id>/). Every file is written whole or not at all: to a temporary name, synced, then
 * renamed into place, so a killed studio leaves at most a temporary file, removed on start.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResultFormat } from '../../shared/dream-job.js';

const TEMP_SUFFIX = '.tmp';
const FOLDERS = ['uploads', 'results', 'work'] as const;
const FORMATS: readonly ResultFormat[] = ['png', 'mp4'];
const RESULT_NAME = /^(.*)\.(png|mp4)$/;

export class DreamFiles {
  /** Where results lie, served from there as files (with byte ranges, for video). */
  readonly resultFolder: string;

  constructor(private readonly dir: string) {
    this.resultFolder = join(dir, 'results');
  }

  async init(): Promise<void> {
    for (const folder of FOLDERS) await mkdir(join(this.dir, folder), { recursive: true });
  }

  readonly uploadPath = (id: string): string => join(this.dir, 'uploads', id);
  readonly resultName = (id: string, format: ResultFormat): string => `${id}.${format}`;
  readonly resultPath = (id: string, format: ResultFormat): string =>
    join(this.resultFolder, this.resultName(id, format));
  /** A running job's own folder (DreamJobControl.workDir). */
  readonly workPath = (id: string): string => join(this.dir, 'work', id);

  writeUpload(id: string, bytes: Uint8Array): Promise<void> {
    return writeAtomically(this.uploadPath(id), bytes);
  }

  writeResult(id: string, format: ResultFormat, bytes: Uint8Array): Promise<void> {
    return writeAtomically(this.resultPath(id, format), bytes);
  }

  readUpload(id: string): Promise<Buffer> {
    return readFile(this.uploadPath(id));
  }

  readResult(id: string, format: ResultFormat): Promise<Buffer> {
    return readFile(this.resultPath(id, format));
  }

  /** The result's size in bytes; undefined when there is none. */
  resultBytes(id: string, format: ResultFormat): Promise<number | undefined> {
    return stat(this.resultPath(id, format)).then(
      (info) => info.size,
      () => undefined,
    );
  }

  async remove(id: string): Promise<void> {
    await Promise.all([
      rm(this.uploadPath(id), { force: true }),
      ...FORMATS.map((format) => rm(this.resultPath(id, format), { force: true })),
      this.removeWork(id),
    ]);
  }

  async removeResult(id: string, format: ResultFormat): Promise<void> {
    await rm(this.resultPath(id, format), { force: true });
  }

  async removeWork(id: string): Promise<void> {
    await rm(this.workPath(id), { recursive: true, force: true });
  }

  /**
   * Removes temporary files, the files of dreams no row names (a kill before the row was
   * written) and the work folders of dreams that will not run again.
   */
  async removeOrphans(known: ReadonlySet<string>, active: ReadonlySet<string>): Promise<void> {
    for (const folder of FOLDERS) {
      const keep = folder === 'work' ? active : known;
      for (const name of await readdir(join(this.dir, folder))) {
        const id = RESULT_NAME.exec(name)?.[1] ?? name;
        if (name.endsWith(TEMP_SUFFIX) || !keep.has(id)) {
          await rm(join(this.dir, folder, name), { recursive: true, force: true });
        }
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
