/**
 * The studio's data folder: the database of dreams (records.ts) and their files (files.ts),
 * changed in an order that a `kill -9` at any moment cannot turn into a lost dream: a row is
 * committed only once its photo is in place, a dream is done only once its result is in place,
 * and a row goes before its files. What a kill can leave behind (temporary files, files without a
 * row, dreams marked running) is put right when the folder is opened.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { resultFormat, type ResultFormat } from '../../shared/dream-job.js';
import { DreamFiles } from './files.js';
import { DreamRecords, type DreamRecord, type NewDreamRecord } from './records.js';
import { expiredDreams, type Retention } from './retention.js';

export { isFinished, type DreamRecord, type DreamSettings, type DreamStatus } from './records.js';
export type { Retention } from './retention.js';

/** Times a dream may be interrupted by the studio stopping before it is failed. */
export const MAX_ATTEMPTS = 3;

export class DreamStore {
  private constructor(
    readonly records: DreamRecords,
    readonly files: DreamFiles,
    private readonly retention: Retention,
    private readonly now: () => number,
  ) {}

  static async open(dir: string, retention: Retention = {}, now: () => number = Date.now): Promise<DreamStore> {
    await mkdir(dir, { recursive: true });
    const files = new DreamFiles(dir);
    await files.init();
    const records = new DreamRecords(join(dir, 'studio.db'));
    const store = new DreamStore(records, files, retention, now);
    try {
      await store.recover();
      await store.applyRetention();
    } catch (err) {
      records.close();
      throw err;
    }
    return store;
  }

  /** Saves a new dream: its photo first, then its row. */
  async create(record: NewDreamRecord, photo: Uint8Array): Promise<void> {
    await this.files.writeUpload(record.id, photo);
    this.records.insert(record);
  }

  /** Saves a dream's result, then marks it done; false (and no file) when it ended meanwhile. */
  async complete(id: string, result: Uint8Array): Promise<boolean> {
    const format = this.resultFormat(id);
    await this.files.writeResult(id, format, result);
    if (this.records.finish(id, this.now(), { status: 'done', resultBytes: result.byteLength })) return true;
    await this.files.removeResult(id, format);
    return false;
  }

  /** The dream's result file, which its spec decides (a zoom's is an MP4). */
  resultFormat(id: string): ResultFormat {
    const record = this.get(id);
    if (!record) throw new Error(`no dream '${id}'`);
    return resultFormat(record.spec);
  }

  /** Forgets a dream: its row, then its files. */
  async delete(id: string): Promise<void> {
    this.records.delete(id);
    await this.files.remove(id);
  }

  /** Deletes the finished dreams the retention settings let go. */
  async applyRetention(): Promise<void> {
    if (this.retention.keepDays === undefined && this.retention.keepBytes === undefined) return;
    const { records } = this;
    for (const id of expiredDreams(records.finished(), records.totalBytes(), this.retention, this.now())) {
      await this.delete(id);
    }
  }

  get(id: string): DreamRecord | undefined {
    return this.records.get(id);
  }

  close(): void {
    this.records.close();
  }

  /**
   * Dreams killed while running go back in line, except those whose result was already in place
   * (killed between the rename and the commit), which are done. Then leftovers are removed.
   */
  private async recover(): Promise<void> {
    for (const id of this.records.idsWithStatus('running')) {
      const resultBytes = await this.files.resultBytes(id, this.resultFormat(id));
      if (resultBytes !== undefined) this.records.finish(id, this.now(), { status: 'done', resultBytes });
    }
    this.records.recoverInterrupted(this.now(), MAX_ATTEMPTS);
    await this.files.removeOrphans(this.records.allIds(), new Set(this.records.idsWithStatus('queued')));
  }
}
