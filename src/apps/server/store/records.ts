/**
 * The studio's dreams as rows of an SQLite database (WAL mode, every commit synced): who asked,
 * what to dream, and how far it got. The photo and the result are files (files.ts); a row only
 * ever names files already in place.
 */
import Database from 'better-sqlite3';
import type { DreamJobSpec } from '../../shared/dream-job.js';

export type DreamStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

const FINISHED: ReadonlySet<DreamStatus> = new Set(['done', 'failed', 'cancelled']);

export const isFinished = (status: DreamStatus): boolean => FINISHED.has(status);

/** The form fields a dream was asked with, as given (empty ones left out). */
export type DreamSettings = Record<string, string>;

export interface DreamRecord {
  id: string;
  /** The browser that asked for it (its owner cookie). */
  owner: string;
  status: DreamStatus;
  spec: DreamJobSpec;
  settings: DreamSettings;
  /** The photo's name and bytes, as uploaded. */
  name: string;
  photoBytes: number;
  /** Size the photo is dreamed at. */
  width: number;
  height: number;
  /** Milliseconds since the epoch. */
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  error?: string;
  /** Times the studio stopped while this dream ran (a crash or a kill). */
  attempts: number;
  shareToken?: string;
  /** The dream whose result this one dreams again. */
  parent?: string;
  resultBytes?: number;
}

/** What a new dream is made of; the rest starts empty. */
export type NewDreamRecord = Omit<
  DreamRecord,
  'status' | 'startedAt' | 'finishedAt' | 'error' | 'attempts' | 'shareToken' | 'resultBytes'
>;

interface Row {
  id: string;
  owner: string;
  status: DreamStatus;
  spec: string;
  settings: string;
  name: string;
  photo_bytes: number;
  width: number;
  height: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  error: string | null;
  attempts: number;
  share_token: string | null;
  parent: string | null;
  result_bytes: number | null;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS dreams (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL,
    status TEXT NOT NULL,
    spec TEXT NOT NULL,
    settings TEXT NOT NULL,
    name TEXT NOT NULL,
    photo_bytes INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    share_token TEXT UNIQUE,
    parent TEXT,
    result_bytes INTEGER
  );
  CREATE INDEX IF NOT EXISTS dreams_by_owner ON dreams (owner, seq);
  CREATE INDEX IF NOT EXISTS dreams_by_status ON dreams (status, seq);
`;

function fromRow(row: Row): DreamRecord {
  return {
    id: row.id,
    owner: row.owner,
    status: row.status,
    spec: JSON.parse(row.spec) as DreamJobSpec,
    settings: JSON.parse(row.settings) as DreamSettings,
    name: row.name,
    photoBytes: row.photo_bytes,
    width: row.width,
    height: row.height,
    createdAt: row.created_at,
    attempts: row.attempts,
    ...(row.started_at !== null && { startedAt: row.started_at }),
    ...(row.finished_at !== null && { finishedAt: row.finished_at }),
    ...(row.error !== null && { error: row.error }),
    ...(row.share_token !== null && { shareToken: row.share_token }),
    ...(row.parent !== null && { parent: row.parent }),
    ...(row.result_bytes !== null && { resultBytes: row.result_bytes }),
  };
}

export class DreamRecords {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // A committed dream survives a power cut too, not only a killed process: commits are few.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  insert(record: NewDreamRecord): void {
    this.db
      .prepare(
        `INSERT INTO dreams (id, owner, status, spec, settings, name, photo_bytes, width, height, created_at, parent)
         VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        record.id,
        record.owner,
        JSON.stringify(record.spec),
        JSON.stringify(record.settings),
        record.name,
        record.photoBytes,
        record.width,
        record.height,
        record.createdAt,
        record.parent ?? null,
      );
  }

  get(id: string): DreamRecord | undefined {
    const row = this.db.prepare('SELECT * FROM dreams WHERE id = ?').get(id) as Row | undefined;
    return row && fromRow(row);
  }

  byShareToken(token: string): DreamRecord | undefined {
    const row = this.db.prepare('SELECT * FROM dreams WHERE share_token = ?').get(token) as Row | undefined;
    return row && fromRow(row);
  }

  /** The owner's dreams, newest first, older than `before` (an id of theirs) when given. */
  listByOwner(owner: string, page: { before?: string; limit: number }): DreamRecord[] {
    const rows =
      page.before === undefined
        ? this.db.prepare('SELECT * FROM dreams WHERE owner = ? ORDER BY seq DESC LIMIT ?').all(owner, page.limit)
        : this.db
            .prepare(
              `SELECT * FROM dreams WHERE owner = ?
                 AND seq < (SELECT seq FROM dreams WHERE id = ? AND owner = ?)
               ORDER BY seq DESC LIMIT ?`,
            )
            .all(owner, page.before, owner, page.limit);
    return (rows as Row[]).map(fromRow);
  }

  /** Ids of dreams with this status, oldest first. */
  idsWithStatus(status: DreamStatus): string[] {
    return this.db.prepare('SELECT id FROM dreams WHERE status = ? ORDER BY seq').pluck().all(status) as string[];
  }

  /** Queued and running dreams of the owner. */
  activeCount(owner: string): number {
    return this.db
      .prepare("SELECT COUNT(*) FROM dreams WHERE owner = ? AND status IN ('queued', 'running')")
      .pluck()
      .get(owner) as number;
  }

  allIds(): Set<string> {
    return new Set(this.db.prepare('SELECT id FROM dreams').pluck().all() as string[]);
  }

  markRunning(id: string, now: number): void {
    this.db.prepare("UPDATE dreams SET status = 'running', started_at = ? WHERE id = ?").run(now, id);
  }

  /** Ends a running or queued dream; false when it had already ended (say, cancelled meanwhile). */
  finish(id: string, now: number, outcome: { status: DreamStatus; error?: string; resultBytes?: number }): boolean {
    return (
      this.db
        .prepare(
          `UPDATE dreams SET status = ?, finished_at = ?, error = ?, result_bytes = ?
           WHERE id = ? AND status IN ('queued', 'running')`,
        )
        .run(outcome.status, now, outcome.error ?? null, outcome.resultBytes ?? null, id).changes > 0
    );
  }

  /** Puts a running dream back in line (the studio is closing): it runs again on the next start. */
  requeue(id: string): void {
    this.db
      .prepare("UPDATE dreams SET status = 'queued', started_at = NULL WHERE id = ? AND status = 'running'")
      .run(id);
  }

  /**
   * After a crash: dreams left running go back in line, counting the interruption; those
   * interrupted `maxAttempts` times fail, so that a dream that kills the studio cannot do it forever.
   */
  recoverInterrupted(now: number, maxAttempts: number): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          "UPDATE dreams SET status = 'queued', started_at = NULL, attempts = attempts + 1 WHERE status = 'running'",
        )
        .run();
      this.db
        .prepare(
          `UPDATE dreams SET status = 'failed', finished_at = ?, error = ?
           WHERE status = 'queued' AND attempts >= ?`,
        )
        .run(now, `the studio stopped ${maxAttempts} times while dreaming this; it is not tried again`, maxAttempts);
    })();
  }

  setShareToken(id: string, token: string | undefined): void {
    this.db.prepare('UPDATE dreams SET share_token = ? WHERE id = ?').run(token ?? null, id);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM dreams WHERE id = ?').run(id);
  }

  /** Finished dreams, oldest first, with the bytes their files take. */
  finished(): Array<{ id: string; finishedAt: number; bytes: number }> {
    return this.db
      .prepare(
        `SELECT id, finished_at AS finishedAt, photo_bytes + COALESCE(result_bytes, 0) AS bytes
         FROM dreams WHERE status IN ('done', 'failed', 'cancelled') ORDER BY finished_at, seq`,
      )
      .all() as Array<{ id: string; finishedAt: number; bytes: number }>;
  }

  /** Bytes the files of every dream take. */
  totalBytes(): number {
    return this.db
      .prepare('SELECT COALESCE(SUM(photo_bytes + COALESCE(result_bytes, 0)), 0) FROM dreams')
      .pluck()
      .get() as number;
  }

  close(): void {
    this.db.close();
  }
}
